// chat-client: parse flags, then hand over to chat::client::run_client.
#include <CLI/CLI.hpp>

#include "chat/client/client.hpp"
#include "chat/protocol.hpp"

int main(int argc, char** argv) {
  chat::client::client_config config;
  std::string name;

  CLI::App app{
      "tcp-chat client (protocol CHAT/1). Type commands as the server knows them: REGISTER <name>, "
      "CONNECT <name>, MSG <text>, DISCONNECT, WHO, PING, HELP, QUIT. On a terminal the line is edited with "
      "libedit and server lines are shown readably; otherwise stdin is a script and every server line is printed "
      "as it comes.\nExit status: 0 after QUIT, 1 if the server closed, reset or said BYE first, 2 on bad usage, "
      "3 if the server cannot be reached."};
  app.add_option("--host", config.host, "Server address")->capture_default_str();
  app.add_option("--port", config.port, "Server TCP port")->capture_default_str();
  app.add_option("--name", name, "REGISTER this name right after connecting")->check([](const std::string& value) {
    return chat::protocol::is_valid_name(value) ? std::string() : "names are 1 to 32 of A-Z a-z 0-9 _ - .";
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : chat::client::exit_usage;
  }
  if (!name.empty()) config.name = name;
  return chat::client::run_client(config);
}
