#include "credentialtesting.h"

#include "oauth.h"

#include <QtTest>

namespace azid::test {

TokenRequestOptions tokenRequest(QStringList scopes, QString claims, QString tenantId, bool enableCae)
{
    TokenRequestOptions options;
    options.scopes = std::move(scopes);
    options.claims = std::move(claims);
    options.tenantId = std::move(tenantId);
    options.enableCae = enableCae;
    return options;
}

QProcessEnvironment environmentOf(const QStringList &assignments)
{
    QProcessEnvironment environment;
    for (const QString &assignment : assignments)
        environment.insert(assignment.section(QLatin1Char('='), 0, 0),
                           assignment.section(QLatin1Char('='), 1));
    return environment;
}

QJsonObject claimsOf(const Secret &token)
{
    return detail::decodeJwtPayload(token.reveal()).value_or(QJsonObject());
}

QString describe(const TokenResult &result)
{
    return result.ok() ? QStringLiteral("a token") : result.error().toString();
}

void expectError(const TokenResult &result, ErrorKind kind, const QString &text)
{
    QVERIFY2(!result.ok(), "expected an error, got a token");
    QVERIFY2(result.error().kind == kind, qPrintable(result.error().toString()));
    QVERIFY2(result.error().message.contains(text), qPrintable(result.error().toString()));
}

} // namespace azid::test
