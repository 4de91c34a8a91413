# SPDX-License-Identifier: MIT
# The fourth no-heap proof: the linked image defines and references no allocator.
#   cmake -D NM=<arm-none-eabi-nm> -D ELF=<image> -P check_no_heap.cmake
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND "${NM}" "${ELF}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "${ELF}: ${NM} failed (${rc})")
endif()
# The check must see a real symbol table, or it would pass on anything (fw::infer<…> is a
# template instance: a weak symbol).
if(NOT symbols MATCHES " T ctnn_fw_reset\n" OR NOT symbols MATCHES " [TW] _ZN2fw5inferI")
  message(FATAL_ERROR "${ELF}: symbol table lacks ctnn_fw_reset / fw::infer")
endif()
set(found "")
# malloc family, newlib's reentrant variants, sbrk, the heap's end symbol, operator new
# and new[] (also nothrow/aligned), and exception allocation.
foreach(name malloc _malloc_r calloc _calloc_r realloc _realloc_r free _free_r _sbrk _sbrk_r
             end __wrap_malloc __cxa_allocate_exception __cxa_throw)
  if(symbols MATCHES "(^|\n)[0-9a-f ]+ [A-Za-z] ${name}\n")
    list(APPEND found ${name})
  endif()
endforeach()
string(REGEX MATCHALL "[A-Za-z] _Zn[wa][jm][A-Za-z0-9_]*\n" news "${symbols}")
list(APPEND found ${news})
if(found)
  message(FATAL_ERROR "${ELF}: heap symbols present: ${found}")
endif()
message("${ELF}: no allocator, operator new or exception symbols")
