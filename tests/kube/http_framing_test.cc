// HTTP/1.1 framing of the emulator's own server, over a raw socket: what libcurl, Go and other
// clients may send besides the plain requests the other tests make.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests/kube/kube_harness.h"

namespace cairn::emulators {
namespace {

// A connected socket to 127.0.0.1:port that gives up reading after 30 s; -1 on failure.
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Everything the server sends until it closes the connection.
std::string ReadToEnd(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(KubeHttpFraming, ChunkedBodyExpectContinuePipeliningAndClose) {
  KubeEmulator kube;
  ASSERT_TRUE(kube.Start().ok());
  int fd = Connect(kube.port());
  ASSERT_GE(fd, 0);
  std::string body =
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1"}})";
  std::string requests =
      "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n\r\n" +
      [&] {
        char size[16];
        std::snprintf(size, sizeof size, "%zx", body.size() - 10);
        return std::string(size) + "\r\n" + body.substr(0, body.size() - 10) + "\r\na\r\n" +
               body.substr(body.size() - 10) + "\r\n0\r\n\r\n";
      }() +
      // A second request sent before the first is answered, in the same packet.
      "GET /api/v1/namespaces/default/configmaps/cfg?pretty=false HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/namespaces/default/configmaps/cfg HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n";
  ASSERT_EQ(write(fd, requests.data(), requests.size()), static_cast<ssize_t>(requests.size()));
  std::string answer = ReadToEnd(fd);  // ends: the server closes after the last request
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n", 0), 0u) << answer;
  EXPECT_EQ(Count(answer, "HTTP/1.1 200 OK\r\n"), 2u) << answer;
  EXPECT_EQ(Count(answer, R"("data":{"a":"1"})"), 3u) << answer;
  EXPECT_EQ(Count(answer, "Connection: close\r\n"), 1u) << answer;
  EXPECT_EQ(kube.request_count("GET /api/v1/namespaces/default/configmaps/cfg"), 2u);
  EXPECT_EQ(kube.requests()[1], "GET /api/v1/namespaces/default/configmaps/cfg?pretty=false");
}

TEST(KubeHttpFraming, MalformedRequestIs400AndClosesTheConnection) {
  KubeEmulator kube;
  ASSERT_TRUE(kube.Start().ok());
  int fd = Connect(kube.port());
  ASSERT_GE(fd, 0);
  std::string bad = "GET /api/v1/namespaces\r\n\r\n";  // no HTTP version
  ASSERT_EQ(write(fd, bad.data(), bad.size()), static_cast<ssize_t>(bad.size()));
  std::string answer = ReadToEnd(fd);
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
}

TEST(KubeHttpFraming, StopClosesIdleConnectionsAndARestartServesTheSameObjects) {
  KubeEmulator kube;
  ASSERT_TRUE(kube.Start().ok());
  ASSERT_EQ(Call(&kube, "POST", "/api/v1/namespaces/default/configmaps",
                 R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kept"}})")
                .code,
            201);
  int idle = Connect(kube.port());
  ASSERT_GE(idle, 0);
  kube.Stop();
  EXPECT_EQ(ReadToEnd(idle), "");  // closed by the server, nothing sent
  close(idle);
  ASSERT_TRUE(kube.Start().ok());
  int fd = Connect(kube.port());
  ASSERT_GE(fd, 0);
  std::string get =
      "GET /api/v1/namespaces/default/configmaps/kept HTTP/1.0\r\nHost: x\r\n\r\n";  // 1.0: closes
  ASSERT_EQ(write(fd, get.data(), get.size()), static_cast<ssize_t>(get.size()));
  std::string answer = ReadToEnd(fd);
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find(R"("name":"kept")"), std::string::npos) << answer;
}

}  // namespace
}  // namespace cairn::emulators
