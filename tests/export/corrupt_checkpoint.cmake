# SPDX-License-Identifier: MIT
# Changes one parameter byte of a valid checkpoint: the exporter must refuse it (CRC),
# exit 2, and leave no header behind.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(COPY_FILE "${CHECKPOINT}" "${WORK}/bad.ckpt")
set(offset 160)  # inside the parameters (the header is 104 bytes + the signature)
file(READ "${CHECKPOINT}" byte OFFSET ${offset} LIMIT 1 HEX)
if(byte STREQUAL "ff")
  set(octal "000")
else()
  set(octal "377")
endif()
execute_process(COMMAND sh -c "printf '\\${octal}' | dd of='${WORK}/bad.ckpt' bs=1 seek=${offset} conv=notrunc 2>/dev/null"
                RESULT_VARIABLE dd)
file(READ "${WORK}/bad.ckpt" changed OFFSET ${offset} LIMIT 1 HEX)
if(NOT dd EQUAL 0 OR changed STREQUAL byte)
  message(FATAL_ERROR "could not write the corrupt checkpoint")
endif()
execute_process(COMMAND "${EXPORTER}" "${WORK}/bad.ckpt" -o "${WORK}/out.hpp" --model-header m.hpp
                        --model-type m --namespace n
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "expected exit code 2, got ${rc}: ${err}")
endif()
if(NOT err MATCHES "bad.ckpt: .*(CRC|crc)")
  message(FATAL_ERROR "expected a CRC error naming the file, got: ${err}")
endif()
file(GLOB leftovers "${WORK}/out.hpp*" "${WORK}/.out.hpp*")
if(leftovers)
  message(FATAL_ERROR "the exporter left files behind: ${leftovers}")
endif()
message(STATUS "corrupt checkpoint refused: ${err}")
