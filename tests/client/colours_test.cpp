#include "client/colours.hpp"

#include <catch2/catch.hpp>

using namespace chat::client;

TEST_CASE("colours go on only for a terminal that has them and nobody turned them off", "[colours]") {
  CHECK(colours_wanted(false, nullptr, "xterm-256color", true));
  CHECK(colours_wanted(false, "", "xterm", true));  // NO_COLOR set but empty: no-color.org says colours stay
  CHECK_FALSE(colours_wanted(false, "1", "xterm", true));
  CHECK_FALSE(colours_wanted(false, "0", "xterm", true));  // any non-empty value, even "0"
  CHECK_FALSE(colours_wanted(true, nullptr, "xterm", true));
  CHECK_FALSE(colours_wanted(false, nullptr, "xterm", false));
  CHECK_FALSE(colours_wanted(false, nullptr, "dumb", true));
  CHECK_FALSE(colours_wanted(false, nullptr, "", true));
  CHECK_FALSE(colours_wanted(false, nullptr, nullptr, true));
}

TEST_CASE("paint colours nicks, errors and events, and nothing when off", "[colours]") {
  CHECK(paint("<Noy> hi <Elias> x", "Noy", true) == "\x1b[1;36m<Noy>\x1b[0m hi <Elias> x");
  CHECK(paint("<Elias> hi", "Noy", true) == "\x1b[1;33m<Elias>\x1b[0m hi");
  CHECK(paint("!!! that user is in another chat (BUSY)", "Noy", true) ==
        "\x1b[31m!!! that user is in another chat (BUSY)\x1b[0m");
  CHECK(paint("*** Elias left the chat", "Noy", true) == "\x1b[32m*** Elias left the chat\x1b[0m");
  CHECK(paint("just text", "Noy", true) == "just text");
  CHECK(paint("<no end", "Noy", true) == "<no end");
  CHECK(paint("<Elias> hi", "Noy", false) == "<Elias> hi");
  CHECK(paint("*** x", "", false) == "*** x");
}
