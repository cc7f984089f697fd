// chat-server's settings from three sources besides its defaults: the command
// line, CHAT_* environment variables and a TOML file (--config), with
// precedence flags > environment > file > defaults. CLI11 2.1 on its own would
// apply the file before the environment, each filling only what is still unset,
// so the file would win; here the file's reader drops every key whose variable
// is set, and the environment then fills it.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace chat {

// "CHAT_" and the flag's long name in capitals with '-' as '_': --max-queue is CHAT_MAX_QUEUE.
std::string environment_name(const std::string& long_name);

// The CLI11 check of a setting that names a file: the file must exist. A relative
// path in a config file is taken from the file's folder; from a flag or a CHAT_*
// variable, from the working directory.
const CLI::Validator& existing_file_setting();

// A CLI11 check: empty if `host` is a numeric IP address, else why not (chat-server listens on an
// address; it does not look up names).
std::string check_listen_address(const std::string& host);

// Call once every option is added. Gives each option its CHAT_* variable, adds
// --config FILE and --dump-config, and parses. Returns nullopt when the program
// should go on; otherwise the exit status: 0 after --help, --version or
// --dump-config (which prints every setting as TOML with the value in effect
// and its meaning, the form of the example chat-server.toml), 2 for any error
// (a bad flag, variable or value, an unreadable file, a key that is no setting).
std::optional<int> parse_server_command_line(CLI::App& app, int argc, const char* const* argv);

}  // namespace chat
