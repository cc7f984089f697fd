// chat-client's TLS flags (docs/operations.md, TLS).
#pragma once

#include <string>

namespace chat::client {

struct tls_client_options {
  bool enabled = false;   // --tls
  std::string ca_file;    // --ca-file: PEM CAs to trust instead of the system's (/etc/ssl/certs)
  bool insecure = false;  // --insecure: no certificate or name check (warned about on stderr)
};

}  // namespace chat::client
