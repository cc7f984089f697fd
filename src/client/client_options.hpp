// The flags of session_options, kept out of chat_client_main.cpp so that each
// group of flags lives beside what it sets.
#pragma once

#include <CLI/CLI.hpp>

#include "client/session_options.hpp"

namespace chat::client {

// Adds --no-color, --bell, --no-reconnect, --name-wait and --fail-on-error to `app`, writing into `options`.
void add_session_options(CLI::App& app, session_options& options);

}  // namespace chat::client
