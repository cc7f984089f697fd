#include "chat-server/tls_options.hpp"

#include <string>

#include "chat-server/server_options.hpp"
#include "chat/cli.hpp"

namespace chat {

using namespace chat::server;  // the core this program wires together

void add_tls_options(CLI::App& app, tls_config& tls) {
  auto* cert = app.add_option("--tls-cert", tls.cert_file,
                              "Serve TLS with this PEM certificate (chain) file; SIGHUP reads it and --tls-key again")
                   ->check(existing_file_setting());
  auto* key = app.add_option("--tls-key", tls.key_file, "The certificate's PEM private key (unencrypted)")
                  ->check(existing_file_setting());
  cert->needs(key);
  key->needs(cert);
  app.add_option("--tls-port", tls.port, "TLS port, with --tls-cert (0 picks a free one)")
      ->transform(chat::cli::range(0, 65535))
      ->capture_default_str();
  app.add_option_function<double>(
         "--tls-handshake-timeout",
         [&tls](double seconds) {
           tls.handshake_timeout = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
         },
         "Seconds a client may take to finish its TLS handshake before it is cut")
      ->transform(chat::cli::range(0.01, 3600.0))
      ->default_str("10");
  app.add_flag_callback(
         "--no-plain", [&tls] { tls.plain = false; }, "Serve only TLS: no plain TCP port (--port is then unused)")
      ->needs(cert);
}

}  // namespace chat
