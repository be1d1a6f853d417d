#pragma once

#include "azid/accesstoken.h"
#include "azid/errors.h"
#include "azid/result.h"
#include "azid/secret.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

// What the agent (TokenAgent) and its clients (azid-cli) say to each other over the agent's socket:
// one JSON object per line each way. A client sends one request per line and reads answers until the
// final one; while the agent waits for the person to sign in (step-up) it first sends a Waiting answer.
// This file is the only place that knows the field names.
namespace azid::model::agent {

// The largest request line the agent reads; a longer one is refused and its connection closed.
inline constexpr qsizetype MaxRequestBytes = 64 * 1024;
// The largest answer line a client reads (a token answer is a few kilobytes).
inline constexpr qsizetype MaxAnswerBytes = 1024 * 1024;

// The per-user folder of the agents' sockets: $XDG_RUNTIME_DIR/azid (Qt's runtime location when the
// variable is not set), mode 0700.
QString socketDirectory();
// The socket of the agent of `profile` ("default" for the empty name).
QString socketPath(const QString &profile);
// A blocking connection to the Unix socket at `path` (a connect there does not wait for the agent):
// its file descriptor, or -1 when nothing listens there. The caller closes it.
int connectToSocket(const QString &path);

struct TokenQuery
{
    QString account; // a user name or home account id; empty: the default account, or the only one
    TokenRequestOptions options;
};

struct Request
{
    enum class Type { Token, Environment };
    Type type = Type::Token;
    TokenQuery token; // Token
    QString account;  // Environment: whose managed-identity endpoint; empty: the only one
};

[[nodiscard]] QByteArray encodeRequest(const Request &request);
// A request line (without its newline); a ClientAuthentication error (invalid configuration) for text
// that is not one.
[[nodiscard]] Result<Request> parseRequest(const QByteArray &line);

// The account an answer is about, so that the client can say what to run (e.g. how to sign in again).
struct AnswerAccount
{
    QString username;
    QString signInMethod;
};

struct Answer
{
    // Unavailable: the agent cannot answer this request (its accounts could not be read, e.g. while the
    // keychain is locked); the client asks storage itself, as it does when no agent runs.
    enum class Type { Token, Error, Waiting, Environment, Unavailable };
    Type type = Type::Error;
    std::optional<AccessTokenInfo> token; // Token
    AuthError error;                      // Error
    AnswerAccount account;                // Token, Error, Waiting (when an account was chosen)
    int waitSeconds = 0;                  // Waiting: how long the agent waits for the sign-in at most
    QUrl identityEndpoint;                // Environment
    Secret identityHeader;                // Environment
};

[[nodiscard]] QByteArray encodeToken(const AccessTokenInfo &token, const AnswerAccount &account);
[[nodiscard]] QByteArray encodeError(const AuthError &error, const AnswerAccount &account = {});
[[nodiscard]] QByteArray encodeWaiting(const AnswerAccount &account, int waitSeconds);
[[nodiscard]] QByteArray encodeEnvironment(const QUrl &endpoint, const Secret &header);
[[nodiscard]] QByteArray encodeUnavailable();
// An answer line (without its newline).
[[nodiscard]] Result<Answer> parseAnswer(const QByteArray &line);

} // namespace azid::model::agent
