# Fails when any of our C++ sources differs from what clang-format (.clang-format) would write.
file(GLOB_RECURSE sources
  ${ROOT}/connector/*.cc ${ROOT}/connector/*.h ${ROOT}/mappings/*.cc ${ROOT}/mappings/*.h
  ${ROOT}/auth/*.cc ${ROOT}/auth/*.h ${ROOT}/tests/*.cc ${ROOT}/tests/*.h ${ROOT}/bench/*.cc)
set(bad "")
foreach(f ${sources})
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${f}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    list(APPEND bad ${f})
  endif()
endforeach()
if(bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "not clang-formatted (run clang-format -i):\n  ${bad}")
endif()
list(LENGTH sources n)
message(STATUS "${n} files are clang-formatted")
