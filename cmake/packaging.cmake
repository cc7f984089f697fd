# Install rules and the Debian package (CPack). `cmake --install` puts the four programs, their
# man pages (generated from --help by help2man), the docs, the example configuration and the
# systemd unit under CMAKE_INSTALL_PREFIX; `tools/dev package` configures with the prefix /usr,
# where GNUInstallDirs puts the configuration in /etc, and builds tcp-chat_<version>_amd64.deb.
set(CMAKE_INSTALL_DOCDIR share/doc/tcp-chat CACHE PATH "Documentation (Debian: /usr/share/doc/<package>)")
include(GNUInstallDirs)

set(chat_programs chat-server chat-client chat-bench chat-encap)
install(TARGETS ${chat_programs} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES README.md CONTRIBUTING.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(FILES packaging/chat-server.toml DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/tcp-chat)
install(FILES packaging/chat-server.service DESTINATION lib/systemd/system)
install(PROGRAMS packaging/tls-deploy-hook DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/tcp-chat)

# Man pages from each program's own --help and --version, so they cannot drift. Sanitizer builds
# skip them (nothing installs those builds).
find_program(HELP2MAN help2man)
if(HELP2MAN AND CHAT_SANITIZE STREQUAL "")
  set(chat_man_pages "")
  set(chat-server_summary "relay 1:1 chats between registered users (protocol CHAT/1)")
  set(chat-client_summary "interactive and script client of chat-server")
  set(chat-bench_summary "load generator that checks every delivery (chat-server and NATS)")
  set(chat-encap_summary "encapsulate chat messages into TCP/IP packets in a pcap file")
  foreach(program ${chat_programs})
    set(page ${PROJECT_BINARY_DIR}/man/${program}.1.gz)
    add_custom_command(
      OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1 --source=tcp-chat
              "--name=${${program}_summary}"
              --output=${PROJECT_BINARY_DIR}/man/${program}.1 $<TARGET_FILE:${program}>
      COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/man/${program}.1
      DEPENDS ${program}
      COMMENT "man page of ${program} (help2man)"
      VERBATIM)
    list(APPEND chat_man_pages ${page})
  endforeach()
  add_custom_target(chat_man_pages ALL DEPENDS ${chat_man_pages})
  install(FILES ${chat_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tcp-chat)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "1:1 chat server, client and load generator (CHAT/1 over TCP)")
# One string: set() with several strings would make a list, and CPack joins a list with ';'.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "chat-server relays 1:1 chats between registered users over one TCP protocol, CHAT/1.\n"
    "Also chat-client (an interactive terminal client), chat-bench (a load generator that checks\n"
    "every delivery) and chat-encap (TCP/IP encapsulation into pcap files).")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "tcp-chat developers (group07) <tcp-chat@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tcp-chat_<version>_<arch>.deb
# Dependencies from the programs' own ELF needs (dpkg-shlibdeps), not a hand-kept list.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# postinst creates the group that reads the TLS copies with groupadd.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nats-server")
# The configuration is a conffile: an upgrade keeps the administrator's edits, a purge removes it.
file(WRITE ${PROJECT_BINARY_DIR}/packaging/conffiles "${CMAKE_INSTALL_FULL_SYSCONFDIR}/tcp-chat/chat-server.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/packaging/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst
    ${PROJECT_SOURCE_DIR}/packaging/prerm ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
