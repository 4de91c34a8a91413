// SPDX-License-Identifier: MIT
// ctnn-export: checkpoint → C++ header of constexpr weights bound to the model type.
// `ctnn-export my.ckpt -o my_weights.hpp`: the model header, type, weights namespace, input
// transform and class names come from the checkpoint's metadata (written by every
// ctnn_add_trainer program); --model-header, --model-type and --namespace override them.
// Exit status as the trainers: 0 success, 1 bad command line, 2 unusable input or output
// file; one line "ctnn-export: error: ..." on failure (docs/hardening.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <system_error>

#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/io/export.hpp"
#include "ctnn/train/io/file_checks.hpp"

namespace {

int fail(int status, const std::string& text) {
  std::fprintf(stderr, "ctnn-export: error: %s\n", ctnn::train::printable(text, 2048).c_str());
  return status;
}

/// "" if `v` is a C++ name, qualified with `::` and (for types) with template arguments, so
/// nothing else can be injected into the generated header; else the problem.
std::string cxx_name_problem(const std::string& v, bool allow_template_arguments) {
  static const std::regex type(R"((::)?[A-Za-z_][A-Za-z0-9_:<>, ]*)");
  static const std::regex name(R"([A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*)");
  return v.size() <= 512 && std::regex_match(v, allow_template_arguments ? type : name)
             ? ""
             : "'" + ctnn::train::printable(v, 40) + "' is not a C++ name";
}

/// The same as a CLI11 check.
CLI::Validator cxx_name(bool allow_template_arguments) {
  return CLI::Validator(
      [allow_template_arguments](std::string& v) {
        return cxx_name_problem(v, allow_template_arguments);
      },
      "C++ name");
}

/// "" if `v` can be the include path of a header: printable, no quote, no backslash.
std::string include_path_problem(const std::string& v) {
  const bool ok =
      !v.empty() && v.size() <= 1024 && v.find_first_of("\"\\<>") == std::string::npos &&
      std::all_of(v.begin(), v.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
  return ok ? "" : "'" + ctnn::train::printable(v, 40) + "' is not an include path";
}

/// Fills what the command line left empty from the checkpoint's metadata: the model's
/// header, type and weights namespace, the data set, the input transform, the class names.
/// Throws data_error naming `file` if a needed field is missing or malformed.
void fill_from_metadata(const ctnn::train::checkpoint_data& c, const std::string& file,
                        ctnn::train::export_options& opt) {
  using nlohmann::json;
  const json meta = c.metadata.empty() ? json::object() : json::parse(c.metadata, nullptr, false);
  auto text = [&](const char* key) -> std::string {
    return meta.is_object() && meta.contains(key) && meta[key].is_string()
               ? meta[key].get<std::string>()
               : std::string();
  };
  auto number = [&](const char* key, double fallback) {
    return meta.is_object() && meta.contains(key) && meta[key].is_number() ? meta[key].get<double>()
                                                                           : fallback;
  };
  struct field {
    std::string* value;
    const char* key;
    const char* flag;
    std::string (*problem)(const std::string&);
  };
  const field fields[] = {
      {&opt.model_header, "model_header", "--model-header", include_path_problem},
      {&opt.model_type, "model_type", "--model-type",
       [](const std::string& v) { return cxx_name_problem(v, true); }},
      {&opt.name_space, "weights_namespace", "--namespace",
       [](const std::string& v) { return cxx_name_problem(v, false); }}};
  for (const field& f : fields) {
    if (!f.value->empty()) {  // given on the command line
      // A model type other than the one the checkpoint was trained for would only fail
      // when the firmware compiles the header: refuse it here, before writing anything.
      if (std::string(f.key) == "model_type" && !text(f.key).empty() && text(f.key) != *f.value)
        throw ctnn::train::data_error(file, "the checkpoint was trained for " + text(f.key) + " (" +
                                                c.signature + "), not for " + *f.value +
                                                "; omit --model-type or give that type");
      continue;
    }
    *f.value = text(f.key);
    if (f.value->empty())
      throw ctnn::train::data_error(
          file, std::string("the checkpoint does not record the ") + f.key +
                    " (written by an older trainer or another program); give " + f.flag);
    if (const std::string p = f.problem(*f.value); !p.empty())
      throw ctnn::train::data_error(file, std::string("metadata field '") + f.key + "': " + p);
  }
  if (opt.dataset.empty()) opt.dataset = text("dataset");
  opt.test_accuracy = number("test_accuracy", -1);
  const double scale = number("input_scale", 1), divisor = number("input_divisor", 0);
  if (!(scale > 0 && scale < 1e30) || !(divisor >= 0 && divisor < 1e30))
    throw ctnn::train::data_error(file,
                                  "metadata field 'input_scale' or 'input_divisor' is out "
                                  "of range");
  opt.transform.scale = static_cast<float>(scale);
  opt.transform.divisor = static_cast<float>(divisor);
  if (meta.is_object() && meta.contains("standardization")) {
    // Types and signs checked by read_checkpoint (validate_checkpoint).
    for (const auto& v : meta["standardization"]["mean"])
      opt.transform.mean.push_back(v.get<float>());
    for (const auto& v : meta["standardization"]["std"])
      opt.transform.stddev.push_back(v.get<float>());
    if (opt.transform.mean.size() != opt.transform.stddev.size() ||
        std::find(opt.transform.stddev.begin(), opt.transform.stddev.end(), 0.0f) !=
            opt.transform.stddev.end())
      throw ctnn::train::data_error(file,
                                    "metadata field 'standardization' has unequal sizes "
                                    "or a zero std");
  }
  if (meta.is_object() && meta.contains("class_names") && meta["class_names"].is_array())
    for (const auto& v : meta["class_names"])
      opt.class_names.push_back(v.is_string() ? v.get<std::string>() : std::string());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ctnn-export: writes a C++ header of constexpr weights from a ctnn checkpoint"};
  std::string checkpoint, out;
  ctnn::train::export_options opt;
  app.add_option("checkpoint", checkpoint, "checkpoint written by a ctnn trainer")->required();
  app.add_option("-o,--out", out, "header to write")->required();
  app.add_option("--model-header", opt.model_header,
                 "include path of the header declaring the model type (default: from the "
                 "checkpoint)");
  app.add_option("--model-type", opt.model_type,
                 "the model type, e.g. models::mlp (default: from the checkpoint)")
      ->check(cxx_name(true));
  app.add_option("--namespace", opt.name_space,
                 "namespace of the generated objects (default: from the checkpoint, "
                 "<model type>_weights)")
      ->check(cxx_name(false));
  app.add_option("--dataset", opt.dataset, "data set name (default: from the checkpoint)");
  std::signal(SIGXFSZ, SIG_IGN);  // beyond RLIMIT_FSIZE: an EFBIG error, not death
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return fail(1, std::string(e.what()) + " (see --help)");
  }

  try {
    const ctnn::train::checkpoint_data c = ctnn::train::read_checkpoint(checkpoint);
    ctnn::train::check_output(out);
    ctnn::train::check_distinct({{"checkpoint", checkpoint}}, {{"-o", out}});
    opt.source_name = std::filesystem::path(checkpoint).filename().string();
    // Before any output: a checkpoint that cannot say which model it is refuses early.
    fill_from_metadata(c, checkpoint, opt);
    // Atomic: a failed export never leaves a half-written header for the firmware build.
    ctnn::train::write_file_atomically(out, ctnn::train::export_header(c, opt));
    std::fprintf(stderr, "ctnn-export: wrote %s (%zu parameters, %s)\n",
                 ctnn::train::printable(out).c_str(), c.parameters.size() / c.scalar_bytes,
                 ctnn::train::printable(c.signature).c_str());
  } catch (const ctnn::train::data_error& e) {
    return fail(2, e.what());
  } catch (const std::bad_alloc&) {
    return fail(2, "out of memory");
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(2, e.path1().string() + ": " + e.code().message());
  } catch (const std::exception& e) {
    return fail(2, e.what());
  }
  return 0;
}
