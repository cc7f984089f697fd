#include "client/client_options.hpp"

#include "chat/cli.hpp"

namespace chat::client {

void add_session_options(CLI::App& app, session_options& options) {
  app.add_flag("--no-color", options.no_color,
               "Never colour the screen (colours are on for a terminal whose TERM is not dumb, unless NO_COLOR is "
               "set to a non-empty value)");
  app.add_flag("--bell", options.bell, "Ring the terminal bell for an incoming message while nothing is half-typed");
  app.add_flag_callback(
      "--no-reconnect", [&options] { options.reconnect = false; },
      "Interactive mode: exit when the connection drops instead of reconnecting (scripts never reconnect)");
  auto* name_wait = app.add_option_function<double>(
      "--name-wait",
      [&options](double seconds) { options.name_wait = std::chrono::milliseconds(static_cast<long>(seconds * 1000)); },
      "Reconnecting: seconds to keep retrying a name the server still holds for the dropped connection before "
      "asking for another (the server's --idle-timeout)");
  name_wait->transform(chat::cli::range(0.0, 86400.0))->default_str("300");
  app.add_flag("--fail-on-error", options.fail_on_error,
               "Script mode: exit 4 if the server answered any line with ERR (the script still runs to its end)");
}

}  // namespace chat::client
