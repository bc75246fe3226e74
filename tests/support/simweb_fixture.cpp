#include "tests/support/simweb_fixture.hpp"

#include <stdexcept>

namespace crawler::test {

SimwebFixture::SimwebFixture(std::vector<std::string> args) {
  std::vector<std::string> argv = {bin_path("simweb"), "--port", "0", "--out-dir", dir_.path()};
  argv.insert(argv.end(), args.begin(), args.end());
  child_ = std::make_unique<ChildProcess>(argv);
  if (!child_->wait_for_output("\n", std::chrono::seconds(30))) {
    throw std::runtime_error("simweb did not start: " + child_->err());
  }
  const auto& out = child_->out();
  const auto at = out.find("listening");
  const auto colon = out.find(':', at);
  if (at == std::string::npos || colon == std::string::npos) throw std::runtime_error("simweb said: " + out);
  port_ = std::stoi(out.substr(colon + 1));
}

}  // namespace crawler::test
