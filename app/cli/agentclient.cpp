// The client of the agent's socket, blocking as a command line may: a connect, one request line, and
// the answers read with poll() until the final one.
#include "agentclient.h"

#include "output.h"

#include <QElapsedTimer>
#include <QFile>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace azid::cli {
namespace {

// An answer normally comes at once from the cache, or after a refresh (the HTTP client's own
// timeouts and retries); a sign-in the agent waits for adds what the agent says it waits at most.
constexpr int AnswerTimeoutMs = 120 * 1000;

class Connection
{
public:
    explicit Connection(const QString &path) : m_fd(model::agent::connectToSocket(path)) {}
    ~Connection()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    bool isOpen() const { return m_fd >= 0; }

    bool send(const QByteArray &data) const
    {
        qsizetype sent = 0;
        while (sent < data.size()) {
            const ssize_t n = ::send(m_fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            sent += n;
        }
        return true;
    }

    // The next line (without its newline), or nothing when the connection ended or `timeoutMs` passed.
    std::optional<QByteArray> readLine(int timeoutMs)
    {
        QElapsedTimer elapsed;
        elapsed.start();
        for (;;) {
            if (const qsizetype end = m_buffer.indexOf('\n'); end >= 0) {
                const QByteArray line = m_buffer.left(end);
                m_buffer.remove(0, end + 1);
                return line;
            }
            const qint64 left = timeoutMs - elapsed.elapsed();
            if (left <= 0 || m_buffer.size() > model::agent::MaxAnswerBytes)
                return std::nullopt;
            pollfd waiting{m_fd, POLLIN, 0};
            const int ready = ::poll(&waiting, 1, int(left));
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready <= 0)
                return std::nullopt;
            char chunk[16384];
            const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return std::nullopt;
            m_buffer.append(chunk, n);
        }
    }

private:
    int m_fd = -1;
    QByteArray m_buffer;
};

void sayWaiting(const model::agent::Answer &waiting)
{
    printNote(QStringLiteral("azid-cli: waiting for you to sign in%1 in Azid (at most %2 s)...")
                  .arg(waiting.account.username.isEmpty()
                           ? QString()
                           : QStringLiteral(" as %1").arg(terminalSafe(waiting.account.username)))
                  .arg(waiting.waitSeconds));
}

} // namespace

std::optional<model::agent::Answer> askAgent(const QString &profile, const model::agent::Request &request)
{
    Connection connection(model::agent::socketPath(profile));
    if (!connection.isOpen() || !connection.send(model::agent::encodeRequest(request)))
        return std::nullopt;
    int timeoutMs = AnswerTimeoutMs;
    for (;;) {
        const std::optional<QByteArray> line = connection.readLine(timeoutMs);
        if (!line)
            return std::nullopt;
        Result<model::agent::Answer> answer = model::agent::parseAnswer(*line);
        if (!answer.ok() || answer.value().type == model::agent::Answer::Type::Unavailable)
            return std::nullopt;
        if (answer.value().type != model::agent::Answer::Type::Waiting)
            return std::move(answer.value());
        sayWaiting(answer.value());
        timeoutMs = AnswerTimeoutMs + answer.value().waitSeconds * 1000;
    }
}

} // namespace azid::cli
