// The one command the client has to recognise in what it sends.
#include "chat/client/commands.hpp"

#include <catch2/catch.hpp>

TEST_CASE("QUIT is recognised as the server would parse it", "[commands]") {
  using chat::client::is_quit;
  CHECK(is_quit("QUIT"));
  CHECK(is_quit("quit"));
  CHECK(is_quit("  Quit and more words"));
  CHECK_FALSE(is_quit("QUITS"));
  CHECK_FALSE(is_quit("MSG QUIT"));
  CHECK_FALSE(is_quit(""));
}
