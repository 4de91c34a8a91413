// SPDX-License-Identifier: MIT
// Worst-case stack of the Cortex-M4 firmware, from GCC's -fcallgraph-info=su files: the
// deepest call path from a root (e.g. ctnn_fw_start), summing each function's static frame.
//
//   stack_report <budget-bytes> <root> <file.ci>...
//
// Prints the total and the path; exits 1 over budget, on a dynamic or unbounded frame, on
// recursion, on an unknown root, or on an unreadable file. Functions without call-graph
// data (newlib's memcpy/memset, libgcc) are listed as "no data" and counted as 0 bytes.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct function {
  std::string pretty;
  long bytes = -1;  // -1: no call-graph data for this function
  bool bounded = true;
  std::set<std::string> callees;
};

std::map<std::string, function> graph;

/// Node titles are "file:symbol" for local and weak functions, "symbol" otherwise; mangled
/// and C names contain no ':', so the part after the last ':' identifies the function.
std::string key(const std::string& title) {
  const auto colon = title.rfind(':');
  return colon == std::string::npos ? title : title.substr(colon + 1);
}

void read_ci(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "stack_report: %s: cannot open\n", path.c_str());
    std::exit(1);
  }
  static const std::regex node(
      R"re(^node: \{ title: "([^"]*)" label: "([^"\\]*)\\n[^"]*\\n(\d+) bytes \((static|dynamic|dynamic,bounded)\)")re");
  static const std::regex edge(R"re(^edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)")re");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, node)) {
      function& f = graph[key(m[1])];
      f.pretty = m[2];
      f.bytes = std::stol(m[3]);
      f.bounded = m[4] != "dynamic";
    } else if (std::regex_search(line, m, edge)) {
      graph[key(m[1])].callees.insert(key(m[2]));
      graph[key(m[2])];  // make sure callees exist (maybe without data)
    }
  }
}

struct result {
  long bytes = 0;
  std::vector<std::string> path;
};

std::map<std::string, result> memo;
std::set<std::string> active;

result worst(const std::string& name) {
  if (auto it = memo.find(name); it != memo.end()) return it->second;
  if (!active.insert(name).second) {
    std::fprintf(stderr, "stack_report: recursion through %s: no static bound\n", name.c_str());
    std::exit(1);
  }
  const function& f = graph[name];
  if (!f.bounded) {
    std::fprintf(stderr, "stack_report: %s has a dynamic stack frame\n", f.pretty.c_str());
    std::exit(1);
  }
  result best;
  for (const auto& callee : f.callees) {
    result r = worst(callee);
    if (r.bytes > best.bytes || best.path.empty()) best = r;
  }
  best.bytes += f.bytes > 0 ? f.bytes : 0;
  best.path.insert(best.path.begin(), name);
  active.erase(name);
  return memo[name] = best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: stack_report <budget-bytes> <root> <file.ci>...\n");
    return 2;
  }
  const long budget = std::atol(argv[1]);
  const std::string root = argv[2];
  for (int i = 3; i < argc; ++i) read_ci(argv[i]);
  if (graph.find(root) == graph.end() || graph[root].bytes < 0) {
    std::fprintf(stderr, "stack_report: root %s not found in the call-graph files\n", root.c_str());
    return 1;
  }
  const result r = worst(root);
  std::printf("worst-case stack from %s: %ld bytes (budget %ld)\n", root.c_str(), r.bytes, budget);
  for (const auto& name : r.path) {
    const function& f = graph[name];
    if (f.bytes < 0)
      std::printf("  %8s  %s\n", "no data", name.c_str());
    else
      std::printf("  %6ld B  %s\n", f.bytes, f.pretty.c_str());
  }
  std::fflush(stdout);
  if (r.bytes > budget) {
    std::fprintf(stderr, "stack_report: %ld bytes exceed the budget of %ld\n", r.bytes, budget);
    return 1;
  }
  return 0;
}
