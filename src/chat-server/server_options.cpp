#include "chat-server/server_options.hpp"

#include <asio/ip/address.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "chat/cli.hpp"

namespace chat {
namespace {

// The name that marks existing_file_setting()'s check, so the config reader can find the settings that name files.
constexpr const char* file_setting_check = "file setting";

bool names_a_file(CLI::Option& option) {
  try {
    option.get_validator(file_setting_check);
    return true;
  } catch (const CLI::OptionNotFound&) {
    return false;
  }
}

bool set_in_environment(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
  return value != nullptr && *value != '\0';  // CLI11 ignores an empty variable too
}

// CLI11's TOML reader, with three of our rules: a key whose CHAT_* variable is
// set is dropped (so the environment, applied after the file, wins over it), a
// key that is no setting is an error naming it, and a relative path is taken
// from the file's folder, as nginx and systemd read theirs: a service starts
// from / while its config file names the files beside it.
class environment_first_toml : public CLI::ConfigTOML {
 public:
  explicit environment_first_toml(CLI::App& app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    auto parsed = CLI::ConfigTOML::from_config(input);
    std::vector<CLI::ConfigItem> kept;
    for (auto& item : parsed) {
      auto* option = item.parents.empty() ? app_.get_option_no_throw("--" + item.name) : nullptr;
      if (option == nullptr || !option->get_configurable()) {
        throw CLI::ConfigError("--config: '" + item.fullname() +
                               "' is not a chat-server setting (chat-server --dump-config lists them)");
      }
      if (set_in_environment(option->get_envname())) continue;
      if (names_a_file(*option)) {
        for (auto& path : item.inputs) path = from_file_folder(path);
      }
      kept.push_back(std::move(item));
    }
    return kept;
  }

 private:
  // `path` as written in the file read now, taken from that file's folder.
  std::string from_file_folder(const std::string& path) const {
    const std::filesystem::path written(path);
    if (path.empty() || written.is_absolute()) return path;
    const auto folder = std::filesystem::path(app_.get_config_ptr()->as<std::string>()).parent_path();
    return (folder / written).string();
  }

  CLI::App& app_;
};

// Every configurable setting as TOML: its meaning as a comment, then its value
// (flags, environment and file applied; else its default). A setting without a
// default value (its meaning says what happens) is shown commented out.
std::string dump_config(const CLI::App& app) {
  std::ostringstream out;
  out << "# chat-server settings (TOML), as printed by `chat-server --dump-config`.\n"
         "# Each key is a command-line flag without its dashes, and each can also be set by an\n"
         "# environment variable: CHAT_ and the key in capitals with '_' for '-' (CHAT_MAX_QUEUE).\n"
         "# Precedence: flags > CHAT_* variables > this file (--config FILE) > defaults.\n";
  for (const auto* option : app.get_options()) {
    if (!option->get_configurable() || option->get_lnames().empty()) continue;
    const auto& key = option->get_lnames().front();
    std::string value;
    if (option->count() > 0) {
      value = CLI::detail::ini_join(option->reduced_results());
    } else if (!option->get_default_str().empty()) {
      value = CLI::detail::convert_arg_for_ini(option->get_default_str());
    }
    out << "\n";
    std::istringstream meaning(cli::wrap(option->get_description(), cli::help_width - 2));
    for (std::string line; std::getline(meaning, line);) out << "# " << line << "\n";
    out << (value.empty() ? "# " + key + " =" : key + " = " + value) << "\n";
  }
  return out.str();
}

}  // namespace

std::string environment_name(const std::string& long_name) {
  std::string name = "CHAT_";
  for (const char c : long_name)
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

const CLI::Validator& existing_file_setting() {
  static const auto check = CLI::ExistingFile.name(file_setting_check);
  return check;
}

std::string check_listen_address(const std::string& host) {
  asio::error_code ec;
  (void)asio::ip::make_address(host, ec);
  if (!ec) return {};
  return "'" + host +
         "' is not an IP address; chat-server listens on a numeric address such as 127.0.0.1, "
         "0.0.0.0 or ::";
}

std::optional<int> parse_server_command_line(CLI::App& app, int argc, const char* const* argv) {
  // What is not a setting stays out of the file and the environment.
  for (const auto* name : {"--help", "--version"}) {
    if (auto* option = app.get_option_no_throw(name)) option->configurable(false);
  }
  for (auto* option : app.get_options()) {
    if (option->get_configurable() && !option->get_lnames().empty() && option->get_envname().empty()) {
      option->envname(environment_name(option->get_lnames().front()));
    }
  }
  app.set_config("--config", "", "TOML file of settings: each key a flag without its dashes (--dump-config prints one)")
      ->type_name("FILE");
  app.config_formatter(std::make_shared<environment_first_toml>(app));
  bool dump = false;
  app.add_flag("--dump-config", dump,
               "Print every setting as TOML, with the value that flags, CHAT_* variables and --config give it, "
               "then exit")
      ->configurable(false);
  if (const auto status = cli::parse(app, argc, argv)) return status;
  if (dump) {
    std::cout << dump_config(app);
    return 0;
  }
  return std::nullopt;
}

}  // namespace chat
