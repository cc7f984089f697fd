// The one place that spells the names Asio 1.22 keeps in `experimental` (as_tuple,
// concurrent_channel), behind aliases: code elsewhere uses asio:: names that are stable
// across versions, and an upgrade that moves the experimental ones touches only this header.
// Others include only Asio's stable headers they need beyond this one (asio/ssl.hpp for TLS,
// asio/ip/address.hpp to parse an address), except asio/experimental/awaitable_operators.hpp
// for `||`, which the client's coroutines and the TLS handshake's timeout (tls_server.cpp) use.
#pragma once

#include <fmt/ostream.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/concurrent_channel.hpp>

#include "chat/handler_allocator.hpp"

namespace chat {

namespace net = asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

// Completion token that returns (error_code, results...) instead of throwing:
// our coroutines handle every I/O error as a value.
inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

// Every connection runs on its own strand of the pool; a concrete type keeps it
// inline instead of boxed in an any_io_executor. The pool's executor carries
// the handler allocator, so the strand's own scheduling (one operation each
// time a strand gets work) is served from block pools, not malloc.
using pool_executor = asio::thread_pool::basic_executor_type<handler_allocator<void>, 0>;
using strand = asio::strand<pool_executor>;

inline pool_executor pool_executor_of(asio::thread_pool& pool) {
  return asio::require(pool.get_executor(), asio::execution::allocator(handler_allocator<void>{}));
}

template <typename Signature>
using concurrent_channel = asio::experimental::concurrent_channel<Signature>;

}  // namespace chat

template <>
struct fmt::formatter<asio::ip::tcp::endpoint> : fmt::ostream_formatter {};
