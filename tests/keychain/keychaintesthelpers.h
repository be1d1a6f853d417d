#pragma once

#include "azid/tokencache.h"

#include <QFuture>
#include <QTest>

#include <optional>

namespace azid::keychaintest {

// Lets the event loop run until the future has finished (a test may wait; the library never does).
template <typename T> std::optional<T> waitFor(QFuture<T> future, int timeoutMs = 60000)
{
    if (!QTest::qWaitFor([&] { return future.isFinished(); }, timeoutMs) || future.isCanceled() ||
        future.resultCount() == 0)
        return std::nullopt;
    return future.result();
}

// For QVERIFY2 (which evaluates its message even when the check passes): what a result says.
template <typename T> QByteArray describe(const std::optional<Result<T>> &result)
{
    if (!result)
        return QByteArrayLiteral("no answer");
    return result->ok() ? QByteArrayLiteral("ok") : result->error().message.toUtf8();
}

// A token response for `user` (home account "<user>.tenant") with recognisable token values.
inline TokenResponseEntry tokenResponse(const QString &user,
                                        const QString &scope = QStringLiteral("user.read"),
                                        qint64 now = 1700000000)
{
    TokenResponseEntry entry;
    entry.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    entry.environment = QStringLiteral("login.microsoftonline.com");
    entry.realm = QStringLiteral("tenant");
    entry.homeAccountId = user + QStringLiteral(".tenant");
    entry.scopes = {scope};
    entry.accessToken = Secret::fromString(QStringLiteral("at-secret-") + user + QLatin1Char('-') + scope);
    entry.now = now;
    entry.expiresOn = now + 3600;
    entry.refreshToken = Secret::fromString(QStringLiteral("rt-secret-") + user);
    CachedAccount account;
    account.homeAccountId = entry.homeAccountId;
    account.environment = entry.environment;
    account.realm = entry.realm;
    account.localAccountId = user;
    account.username = user + QStringLiteral("@example.com");
    account.accountSource = QStringLiteral("authorization_code");
    entry.account = account;
    return entry;
}

inline bool hasRefreshToken(const TokenCache &cache, const QString &user)
{
    const auto entry = tokenResponse(user);
    return cache.findRefreshToken(entry.homeAccountId, entry.environment, entry.clientId).has_value();
}

} // namespace azid::keychaintest
