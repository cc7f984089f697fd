#include "chat/cli.hpp"

#include <iostream>
#include <memory>

#include "chat/version.hpp"

namespace chat::cli {

namespace {

// CLI11 2.1 prints descriptions as given; this wraps them (the option column is indented by CLI11).
class wrapping_formatter : public CLI::Formatter {
 public:
  std::string make_description(const CLI::App* app) const override {
    return wrap(CLI::Formatter::make_description(app), help_width);
  }
  std::string make_option_desc(const CLI::Option* option) const override {
    return wrap(CLI::Formatter::make_option_desc(option), help_width - get_column_width());
  }
};

}  // namespace

std::string version_text(std::string_view program) {
  return std::string(program) + " " + CHAT_VERSION + " (git " + CHAT_GIT_REVISION + ")";
}

void prepare(CLI::App& app, std::string program) {
  app.formatter(std::make_shared<wrapping_formatter>());
  app.add_flag_callback(
      "--version",
      [program] {
        std::cout << version_text(program) << "\n";
        throw CLI::Success();
      },
      "Print the version and the git revision it was built from, then exit");
}

std::optional<int> parse(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here as successes (exit 0); everything else is a usage error.
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  return std::nullopt;
}

std::string wrap(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t column = 0;
  while (!text.empty()) {
    if (text.front() == '\n') {
      out += '\n';
      column = 0;
      text.remove_prefix(1);
      continue;
    }
    if (text.front() == ' ') {
      text.remove_prefix(1);
      if (column > 0) {
        // Keep the space only if the next word fits after it.
        const auto next = text.find_first_of(" \n");
        const auto word = next == std::string_view::npos ? text.size() : next;
        if (column + 1 + word > width && word > 0) {
          out += '\n';
          column = 0;
        } else {
          out += ' ';
          ++column;
        }
      }
      continue;
    }
    const auto end = text.find_first_of(" \n");
    const auto word = text.substr(0, end);
    if (column > 0 && column + word.size() > width) {
      out += '\n';
      column = 0;
    }
    out += word;
    column += word.size();
    text.remove_prefix(word.size());
  }
  return out;
}

}  // namespace chat::cli
