# SPDX-License-Identifier: MIT
# The trainers' command-line tests (cli_test.sh: one CTest test per case). The hardening_*
# cases (issue 11, docs/hardening.md) also use the exporter and, when built, the CNN trainer.
set(cli_cases
    help moons_trains threads_do_not_change_bits kill_and_resume fashion_slice mnist_layout_gz
    kaggle_csv bad_magic bad_truncated bad_count_mismatch bad_image_size bad_label_range
    bad_csv_cell bad_csv_missing_cell bad_empty_and_missing bad_checkpoint bad_output diverges report
    hardening_outputs hardening_inputs hardening_checkpoint hardening_text hardening_options
    hardening_early hardening_csv csv_layout export_from_metadata loss_option init_uniform log_every
    honest_labels predict report_sections)
set(cli_extra "")
if(TARGET ctnn-export)
  list(APPEND cli_extra $<TARGET_FILE:ctnn-export>)
  if(TARGET ctnn-train-cnn)
    list(APPEND cli_extra $<TARGET_FILE:ctnn-train-cnn>)
  endif()
endif()
foreach(case ${cli_cases})
  add_test(NAME cli_${case}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_test.sh ${case} $<TARGET_FILE:ctnn-train-mlp>
                   $<TARGET_FILE:ctnn-train-moons> ${cli_extra})
  set_tests_properties(cli_${case} PROPERTIES PASS_REGULAR_EXPRESSION "PASS ${case}"
                                              FAIL_REGULAR_EXPRESSION "FAIL ${case}" TIMEOUT 120)
endforeach()
