#include "chat-server/server_options.hpp"

#include <asio/ip/address.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "chat-server/settings_file.hpp"
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

// What a setting takes, read from CLI11's option: an on/off flag, a number (its type is INT,
// UINT or FLOAT), a list (a repeatable or ','-separated option) or one string.
enum class setting_kind { flag, number, list, text };

setting_kind kind_of(const CLI::Option& option) {
  if (option.get_type_size_max() == 0 || option.get_expected_max() == 0) return setting_kind::flag;
  const auto type = option.get_type_name().substr(0, option.get_type_name().find(':'));
  if (type == "INT" || type == "UINT" || type == "FLOAT") return setting_kind::number;
  if (option.get_items_expected_max() > 1) return setting_kind::list;
  return setting_kind::text;
}

// The one check of a value, whichever source wrote it: the option's validators (a number's read by
// chat::cli::number_in, so never as octal and never nan). Rewrites `text` as CLI11 will convert it.
// Empty if fine, else why not.
std::string check_value(CLI::Option& option, std::string& text) {
  for (int index = 0;; ++index) {
    const CLI::Validator* validator = nullptr;
    try {
      validator = option.get_validator(index);
    } catch (const CLI::OptionNotFound&) {
      return {};
    }
    if (auto why = (*validator)(text); !why.empty()) return why;
  }
}

// A value's form in the file must be the setting's type: a number unquoted, text quoted, a list
// as a string or an array of strings, a flag true or false. Returns the texts to check, or throws.
std::vector<std::string> texts_of(const toml_value& value, setting_kind kind, const std::string& key) {
  using form = toml_value::form;
  switch (kind) {
    case setting_kind::flag:
      if (value.written == form::bare && (value.text == "true" || value.text == "false")) return {value.text};
      throw std::invalid_argument(key + " is on or off: write true or false");
    case setting_kind::number:
      if (value.written == form::bare) return {value.text};
      throw std::invalid_argument(key + " is a number: write it without quotes or brackets, as " + key + " = 5");
    case setting_kind::text:
      if (value.written == form::string) return {value.text};
      throw std::invalid_argument(key + " is text: write it in double quotes, as " + key + " = \"...\"");
    case setting_kind::list:
      if (value.written == form::string) return {value.text};
      if (value.written == form::array) {
        std::vector<std::string> texts;
        for (const auto& item : value.items) {
          if (item.written != form::string) break;
          texts.push_back(item.text);
        }
        if (texts.size() == value.items.size()) return texts;
      }
      throw std::invalid_argument(key + " is text or a list of texts: write \"...\" or [\"...\", \"...\"]");
  }
  return {};
}

// chat-server's reader of the --config file (settings_file.hpp), with our rules: a value's form must
// match its setting's type and passes the same check as a flag's, a key is set once, a key that is
// no setting is an error, and a key whose CHAT_* variable is set is dropped (so the environment,
// applied after the file, wins over it). A relative path is taken from the file's folder, as nginx and
// systemd read theirs: a service starts from / while its config file names the files beside it.
// Every error names the file and the line.
class settings_file_reader : public CLI::Config {
 public:
  explicit settings_file_reader(CLI::App& app) : app_(app) {}

  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    const auto file = app_.get_config_ptr()->as<std::string>();
    std::vector<CLI::ConfigItem> kept;
    std::map<std::string, std::size_t> seen;  // key -> its line
    std::vector<setting_line> lines;
    try {
      lines = read_settings(input);
    } catch (const settings_syntax_error& e) {
      throw CLI::ConfigError(file + ":" + std::to_string(e.line()) + ": " + e.why());
    }
    for (const auto& entry : lines) {
      const auto where = file + ":" + std::to_string(entry.line) + ": ";
      auto* option = app_.get_option_no_throw("--" + entry.key);
      if (option == nullptr || !option->get_configurable()) {
        throw CLI::ConfigError(where + "'" + entry.key +
                               "' is not a chat-server setting (chat-server --dump-config lists them)");
      }
      if (const auto [first, fresh] = seen.emplace(entry.key, entry.line); !fresh) {
        throw CLI::ConfigError(where + entry.key + " is set twice (first on line " + std::to_string(first->second) +
                               ")");
      }
      CLI::ConfigItem item;
      item.name = entry.key;
      try {
        item.inputs = texts_of(entry.value, kind_of(*option), entry.key);
      } catch (const std::invalid_argument& e) {
        throw CLI::ConfigError(where + e.what());
      }
      // A path is taken from the file's folder before it is checked (the file must exist there).
      if (names_a_file(*option)) {
        for (auto& path : item.inputs) path = from_file_folder(path);
      }
      for (auto& text : item.inputs) {
        const auto written = text;
        if (auto why = check_value(*option, text); !why.empty()) {
          throw CLI::ConfigError(where + entry.key + " = " + written + ": " + why);
        }
      }
      if (!set_in_environment(option->get_envname())) kept.push_back(std::move(item));
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

// Every set CHAT_* variable, checked as its flag's value would be; empty if all are fine, else the
// message naming the variable. CLI11 applies them afterwards, unchanged.
std::string check_environment(CLI::App& app) {
  for (auto* option : app.get_options()) {
    if (!set_in_environment(option->get_envname())) continue;
    const std::string value = std::getenv(option->get_envname().c_str());
    std::vector<std::string> texts{value};
    if (kind_of(*option) == setting_kind::list && option->get_delimiter() != '\0') {
      texts = CLI::detail::split(value, option->get_delimiter());
    }
    for (auto& text : texts) {
      if (auto why = check_value(*option, text); !why.empty()) return option->get_envname() + "=" + value + ": " + why;
    }
  }
  return {};
}

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
  app.config_formatter(std::make_shared<settings_file_reader>(app));
  bool dump = false;
  app.add_flag("--dump-config", dump,
               "Print every setting as TOML, with the value that flags, CHAT_* variables and --config give it, "
               "then exit")
      ->configurable(false);
  if (const auto why = check_environment(app); !why.empty()) {
    std::cerr << why << "\n";
    return cli::exit_usage;
  }
  if (const auto status = cli::parse(app, argc, argv)) return status;
  if (dump) {
    std::cout << dump_config(app);
    return 0;
  }
  return std::nullopt;
}

}  // namespace chat
