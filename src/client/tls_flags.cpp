#include "client/tls_flags.hpp"

namespace chat::client {

void add_tls_flags(CLI::App& app, tls_client_options& tls) {
  auto* on = app.add_flag("--tls", tls.enabled,
                          "Connect over TLS (the server's --tls-port) and check its certificate and name");
  app.add_option("--ca-file", tls.ca_file, "Trust the CAs in this PEM file instead of the system's")
      ->check(CLI::ExistingFile)
      ->needs(on);
  app.add_flag("--insecure", tls.insecure, "Do not check the server's certificate or name (warned about on stderr)")
      ->needs(on);
}

}  // namespace chat::client
