# fuzz/EsnapFuzz.cmake — the fuzz harnesses in the main build (included from CMakeLists.txt with the tests):
# when clang links a libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer program, the fuzz/ project is
# configured and built with it (ExternalProject, into BUILD/fuzz) and the test `fuzz_smoke` (label fuzz) runs
# every harness for ESNAP_FUZZ_SMOKE_SECONDS, two at a time (fuzz/fuzz_run.sh), failing on any finding, and
# `fuzz_regress` replays the minimised findings of tests/data/fuzz/HARNESS/ through the harnesses. Without
# such a clang the test fails under CI=true (tools/setup.sh installs clang, libclang-rt-dev and libomp-dev)
# and is skipped otherwise; -DESNAP_FUZZ=OFF leaves both out.
option(ESNAP_FUZZ "Build the libFuzzer harnesses (fuzz/, with clang) and the fuzz smoke test" ON)
set(ESNAP_FUZZ_SMOKE_SECONDS 10 CACHE STRING "Seconds per harness in the fuzz smoke test")

if(ESNAP_FUZZ)
  find_program(ESNAP_FUZZ_CLANG NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)
  set(ESNAP_FUZZ_OK 0)
  if(ESNAP_FUZZ_CLANG)
    set(probe_dir ${CMAKE_BINARY_DIR}/fuzz-probe)
    file(WRITE ${probe_dir}/probe.c
         "#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return (int)(n && d[0]); }\n")
    execute_process(COMMAND ${ESNAP_FUZZ_CLANG} -fsanitize=fuzzer,address,undefined -fopenmp probe.c -o probe
                    WORKING_DIRECTORY ${probe_dir} RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
    if(probe_rc EQUAL 0)
      set(ESNAP_FUZZ_OK 1)
    endif()
  endif()
  find_program(ESNAP_FUZZ_BASH bash REQUIRED)
  if(ESNAP_FUZZ_OK)
    message(STATUS "esnapmd: fuzz harnesses built with ${ESNAP_FUZZ_CLANG}")
    include(ExternalProject)
    ExternalProject_Add(esnap_fuzz
      SOURCE_DIR ${CMAKE_SOURCE_DIR}/fuzz
      BINARY_DIR ${CMAKE_BINARY_DIR}/fuzz
      CMAKE_ARGS -DCMAKE_C_COMPILER=${ESNAP_FUZZ_CLANG} -DCMAKE_BUILD_TYPE=RelWithDebInfo
                 -DESNAP_FUZZ_COMMIT=${ESNAP_GIT_COMMIT}
      BUILD_ALWAYS 1
      INSTALL_COMMAND "")
    add_test(NAME fuzz_smoke COMMAND ${ESNAP_FUZZ_BASH} ${CMAKE_SOURCE_DIR}/fuzz/fuzz_run.sh --bin ${CMAKE_BINARY_DIR}/fuzz
             --seconds ${ESNAP_FUZZ_SMOKE_SECONDS} --jobs 2 --work ${CMAKE_BINARY_DIR}/fuzz-smoke)
    add_test(NAME fuzz_regress COMMAND ${ESNAP_FUZZ_BASH} ${CMAKE_SOURCE_DIR}/fuzz/fuzz_run.sh --bin ${CMAKE_BINARY_DIR}/fuzz
             --replay ${CMAKE_SOURCE_DIR}/tests/data/fuzz --work ${CMAKE_BINARY_DIR}/fuzz-regress)
    set_tests_properties(fuzz_regress PROPERTIES LABELS fuzz TIMEOUT 120)
  else()
    message(STATUS "esnapmd: no clang with libFuzzer and the sanitizers: fuzz harnesses not built (tools/setup.sh)")
    add_test(NAME fuzz_smoke COMMAND ${ESNAP_FUZZ_BASH} -c
             "echo 'fuzz_smoke: no clang that links -fsanitize=fuzzer,address,undefined -fopenmp: run tools/setup.sh (clang, libclang-rt-dev, libomp-dev) and reconfigure'; [ \"$CI\" = true ] && exit 1; exit 77")
    set_tests_properties(fuzz_smoke PROPERTIES SKIP_RETURN_CODE 77)
  endif()
  # PROCESSORS 2: the two harnesses at a time take both cores of a CI runner
  set_tests_properties(fuzz_smoke PROPERTIES LABELS fuzz TIMEOUT 600 PROCESSORS 2)
endif()
