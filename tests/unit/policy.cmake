# The policy engine's unit test (server/policy/policy.c, server/policy/policy_parse.c): included from
# tests/CMakeLists.txt. It reads the shipped protocols in deploy/protocols and the bad
# documents in tests/unit/policy_fixtures.
add_executable(test_policy ${CMAKE_CURRENT_LIST_DIR}/test_policy.c)
target_link_libraries(test_policy PRIVATE spona_server_core PkgConfig::CMOCKA)
target_compile_definitions(test_policy PRIVATE
  SPONA_PROTOCOLS_DIR="${PROJECT_SOURCE_DIR}/deploy/protocols"
  SPONA_POLICY_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/policy_fixtures")
spona_warnings(test_policy)
add_test(NAME unit.policy COMMAND test_policy)
set_tests_properties(unit.policy PROPERTIES LABELS unit TIMEOUT 120)

# The amendment comparison (server/policy/policy_diff.c): who a new version widens.
add_executable(test_policy_diff ${CMAKE_CURRENT_LIST_DIR}/test_policy_diff.c)
target_link_libraries(test_policy_diff PRIVATE spona_server_core PkgConfig::CMOCKA)
target_compile_definitions(test_policy_diff PRIVATE
  SPONA_PROTOCOLS_DIR="${PROJECT_SOURCE_DIR}/deploy/protocols")
spona_warnings(test_policy_diff)
add_test(NAME unit.policy_diff COMMAND test_policy_diff)
set_tests_properties(unit.policy_diff PROPERTIES LABELS unit TIMEOUT 120)
