// casebridge: thin entry point; everything lives in casebridge::cli.
#include <exception>
#include <iostream>

#include "connector/cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  try {
    return casebridge::cli::Main(argc, argv, std::cout, std::cerr);
  } catch (std::exception const& e) {  // last resort: libraries convert their own errors
    std::cerr << "casebridge: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "casebridge: internal error\n";
  }
  return 70;
}
