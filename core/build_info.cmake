# Writes OUTPUT from core/build_info.cc.in with the version and the current git commit; run at
# every build (cmake -P), it rewrites OUTPUT only when the commit changed.
execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                OUTPUT_VARIABLE FLAGLEDGER_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE not_git ERROR_QUIET)
if(not_git OR FLAGLEDGER_COMMIT STREQUAL "")
  set(FLAGLEDGER_COMMIT "unknown")
else()
  execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                  OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT changes STREQUAL "")
    string(APPEND FLAGLEDGER_COMMIT "-dirty")
  endif()
endif()
configure_file("${SOURCE_DIR}/core/build_info.cc.in" "${OUTPUT}" @ONLY)
