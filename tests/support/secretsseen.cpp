#include "secretsseen.h"

#include "logcapture.h"
#include "testwait.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace azid::test {

SecretsSeen &SecretsSeen::operator<<(const QString &secret)
{
    m_secrets << secret;
    return *this;
}

TokenResult SecretsSeen::getToken(TokenCredential &credential, const TokenRequestOptions &request)
{
    TokenResult result = await(credential.getTokenInfo(request));
    if (result.ok())
        m_secrets << result.value().token.revealString();
    return result;
}

void SecretsSeen::rememberCachedTokens(const TokenCache &cache)
{
    const QJsonObject root = QJsonDocument::fromJson(cache.serialize()).object();
    for (const QString &section : {QStringLiteral("RefreshToken"), QStringLiteral("AccessToken")}) {
        const QJsonObject entries = root.value(section).toObject();
        for (const QJsonValue &entry : entries)
            m_secrets << entry.toObject().value(QStringLiteral("secret")).toString();
    }
}

void SecretsSeen::verifyNoneLogged(qsizetype moreThan, const QStringList &neverLogged) const
{
    QVERIFY2(m_secrets.size() > moreThan,
             qPrintable(QStringLiteral("only %1 secrets were met").arg(m_secrets.size())));
    QVERIFY2(!LogCapture::messages().isEmpty(), "nothing was logged: is debug logging on?");
    for (const QString &secret : m_secrets) {
        if (secret.size() < 8)
            continue;
        const QStringList hits = LogCapture::find(secret);
        QVERIFY2(hits.isEmpty(),
                 qPrintable(QStringLiteral("a secret appears in the log: ") + hits.value(0).left(80)));
    }
    for (const QString &text : QStringList{QStringLiteral("eyJ")} + neverLogged)
        QVERIFY2(LogCapture::find(text).isEmpty(), qPrintable(text + QStringLiteral(" appears in the log")));
}

} // namespace azid::test
