// chat-client: parse flags, then hand over to chat::client::run_client.
#include <CLI/CLI.hpp>

#include "chat/cli.hpp"
#include "chat/protocol.hpp"
#include "client/client.hpp"
#include "client/client_options.hpp"
#include "client/tls_flags.hpp"

static_assert(chat::cli::exit_usage == chat::client::exit_usage, "one exit status for usage errors");

int main(int argc, char** argv) {
  chat::client::client_config config;
  std::string name;

  CLI::App app{
      "tcp-chat client (protocol CHAT/1). Commands as the server knows them: REGISTER <name>, CONNECT <name>, "
      "MSG <text>, DISCONNECT, WHO, PING, HELP, QUIT. On a terminal the line is edited with libedit and server "
      "lines are shown readably; commands start with / (/connect Elias, /who, /quit), and outside a chat also work "
      "as typed (CONNECT Elias); in a chat every other line is a message (// sends a line starting with /, a "
      "leading MSG is dropped). Otherwise stdin is a script: each line is sent as it is and every server line is "
      "printed as it comes.\nExit status: 0 after QUIT, 1 if the server closed, reset or said BYE first, 2 on bad "
      "usage, "
      "3 if the server cannot be reached, 4 with --fail-on-error after an ERR reply."};
  chat::cli::prepare(app, "chat-client");
  app.add_option("--host", config.host, "Server address")->capture_default_str();
  app.add_option("--port", config.port, "Server TCP port")
      ->transform(chat::cli::range(1, 65535))
      ->capture_default_str();
  app.add_option("--name", name, "REGISTER this name right after connecting")->check([](const std::string& value) {
    return chat::protocol::is_valid_name(value) ? std::string() : "names are 1 to 32 of A-Z a-z 0-9 _ - .";
  });
  double keepalive_seconds = 60;
  app.add_option("--keepalive", keepalive_seconds,
                 "Interactive mode: send a PING after this many idle seconds, so the server's idle timeout "
                 "does not close the session (0: never)")
      ->transform(chat::cli::range(0.0, 1e6))
      ->capture_default_str();
  chat::client::add_session_options(app, config.session);
  chat::client::add_tls_flags(app, config.tls);
  if (const auto status = chat::cli::parse(app, argc, argv)) return *status;
  if (!name.empty()) config.name = name;
  config.keepalive = std::chrono::milliseconds(static_cast<long>(keepalive_seconds * 1000));
  return chat::client::run_client(config);
}
