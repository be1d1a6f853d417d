// Server faults through the library: azid-sandbox's fault modes (tests/sandbox/README.md) against a
// signed-in account. For each fault: the retries azure-core's policy makes (408, 429, 5xx and broken
// connections, Retry-After honoured; nothing else), an error that names the fault, and a token cache
// that is exactly what it was when the request fails.

#include "azid/tokencache.h"
#include "azid/usernamepasswordcredential.h"

#include "credentialtesting.h"
#include "fakeclock.h"
#include "sandbox.h"
#include "secretsseen.h"

#include <QJsonObject>
#include <QtTest>

using namespace azid;
using namespace Qt::StringLiterals;
using namespace azid::test;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
} // namespace

class TestFaults : public QObject
{
    Q_OBJECT

private:
    Sandbox m_sandbox;
    FakeClock m_clock;
    SecretsSeen m_secretsSeen;

    UsernamePasswordCredentialOptions aliceOptions(const Sandbox &sandbox, std::shared_ptr<TokenCache> cache)
    {
        auto o = sandbox.credentialOptions<UsernamePasswordCredentialOptions>(&m_clock, std::move(cache));
        o.username = QStringLiteral("alice@contoso.test");
        o.password = Secret::fromString(QStringLiteral("alice-password-1"));
        return o;
    }

    // Alice signed in for ARM, with her refresh token in `cache`: what a fault must leave as it is.
    void signIn(UsernamePasswordCredential &credential)
    {
        const TokenResult first = m_secretsSeen.getToken(credential, tokenRequest({Arm}));
        QVERIFY2(first.ok(), qPrintable(describe(first)));
        m_sandbox.clearRequests();
    }

private slots:
    void initTestCase() { QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString())); }

    void init()
    {
        m_sandbox.control("DELETE", QStringLiteral("faults"));
        m_sandbox.clearRequests();
    }

    void failingAnswers_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<int>("requests"); // token requests made, retries included
        QTest::addColumn<QString>("says");
        const auto fault = [](QJsonObject f) {
            f.insert(QStringLiteral("endpoint"), QStringLiteral("token"));
            return f;
        };
        // Retried three times (four requests), then the last answer is the error.
        QTest::newRow("HTTP 500") << fault({{u"status"_s, 500}, {u"count"_s, 4}}) << 4
                                  << QStringLiteral("Fault injected by azid-sandbox: HTTP 500");
        QTest::newRow("HTTP 503") << fault({{u"status"_s, 503}, {u"count"_s, 4}}) << 4
                                  << QStringLiteral("Fault injected by azid-sandbox: HTTP 503");
        QTest::newRow("reset mid-answer") << fault({{u"reset"_s, true}, {u"count"_s, 4}}) << 4
                                          << QStringLiteral("before the whole answer arrived");
        // Not retried: a complete answer that is wrong does not get right by asking again.
        QTest::newRow("truncated JSON") << fault({{u"malformed"_s, true}}) << 1
                                        << QStringLiteral("the authority's answer is not valid JSON");
        QTest::newRow("oversized answer")
            << fault({{u"oversize_kib"_s, 5 * 1024}}) << 1 << QStringLiteral("is larger than 4096 KiB");
        QTest::newRow("no access_token")
            << fault({{u"fields"_s, QJsonObject{{u"access_token"_s, QJsonValue()}}}}) << 1
            << QStringLiteral("the authority's answer holds no access token");
        QTest::newRow("access_token a number")
            << fault({{u"fields"_s, QJsonObject{{u"access_token"_s, 42}}}}) << 1
            << QStringLiteral("the authority's answer holds no access token");
    }

    void failingAnswers()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(int, requests);
        QFETCH(QString, says);
        auto cache = std::make_shared<TokenCache>();
        UsernamePasswordCredential credential(aliceOptions(m_sandbox, cache));
        signIn(credential);
        const QByteArray before = cache->serialize();

        QVERIFY(!m_sandbox.fault(fault).isNull());
        const TokenResult result = m_secretsSeen.getToken(credential, tokenRequest({Graph}));
        expectError(result, ErrorKind::ClientAuthentication, says);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), requests);
        QCOMPARE(cache->serialize(), before);
        QCOMPARE(cache->accounts().size(), 1);

        // The fault is gone: the same credential and cache work again.
        const TokenResult after = m_secretsSeen.getToken(credential, tokenRequest({Graph}));
        QVERIFY2(after.ok(), qPrintable(describe(after)));
    }

    void transientAnswersAreRetried_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::newRow("HTTP 500 once") << QJsonObject{{u"endpoint"_s, u"token"_s}, {u"status"_s, 500}};
        QTest::newRow("HTTP 503 once") << QJsonObject{{u"endpoint"_s, u"token"_s}, {u"status"_s, 503}};
        QTest::newRow("429 with Retry-After")
            << QJsonObject{{u"endpoint"_s, u"token"_s}, {u"status"_s, 429}, {u"retry_after"_s, 1}};
        QTest::newRow("reset once") << QJsonObject{{u"endpoint"_s, u"token"_s}, {u"reset"_s, true}};
    }

    void transientAnswersAreRetried()
    {
        QFETCH(QJsonObject, fault);
        auto cache = std::make_shared<TokenCache>();
        UsernamePasswordCredential credential(aliceOptions(m_sandbox, cache));
        signIn(credential);
        QVERIFY(!m_sandbox.fault(fault).isNull());
        const TokenResult result = m_secretsSeen.getToken(credential, tokenRequest({Graph}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
    }

    void slowAnswerPastTheTransferTimeout()
    {
        auto cache = std::make_shared<TokenCache>();
        auto o = aliceOptions(m_sandbox, cache);
        o.http.transferTimeout = std::chrono::milliseconds(1000);
        o.http.maxRetries = 1;
        UsernamePasswordCredential credential(o);
        signIn(credential);
        const QByteArray before = cache->serialize();
        QVERIFY(
            !m_sandbox.fault({{u"endpoint"_s, u"token"_s}, {u"delay_ms"_s, 4000}, {u"count"_s, 2}}).isNull());
        const TokenResult result = m_secretsSeen.getToken(credential, tokenRequest({Graph}));
        expectError(result, ErrorKind::ClientAuthentication,
                    QStringLiteral("No answer from 127.0.0.1 within 1 s"));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
        QCOMPARE(cache->serialize(), before);
    }

    void certificateForAnotherHost()
    {
        // An authority whose certificate is trusted (the sandbox's CA) but names another host.
        Sandbox wrongHost;
        QVERIFY2(wrongHost.start({QStringLiteral("--tls-name"), QStringLiteral("wrong-host.example")}),
                 qPrintable(wrongHost.errorString()));
        auto cache = std::make_shared<TokenCache>();
        UsernamePasswordCredential alice(aliceOptions(m_sandbox, cache));
        signIn(alice);
        const QByteArray before = cache->serialize();
        auto o = aliceOptions(wrongHost, cache);
        o.http.maxRetries = 0;
        UsernamePasswordCredential credential(o);
        const TokenResult result = m_secretsSeen.getToken(credential, tokenRequest({Arm}));
        expectError(result, ErrorKind::ClientAuthentication,
                    QStringLiteral("certificate is for another host than 127.0.0.1"));
        QCOMPARE(wrongHost.countRequests(QStringLiteral("token")), 0);
        QCOMPARE(cache->serialize(), before);
    }

    void oddTokenFieldsAreClampedOrPassedOn_data()
    {
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<qint64>("lifetime"); // expiresOn - now
        QTest::addColumn<QString>("tokenType");
        const QString bearer = QStringLiteral("Bearer");
        // A number in a string, as ADFS sends it: read as the number (as MSAL does).
        QTest::newRow("expires_in a string")
            << QJsonObject{{u"expires_in"_s, u"1234"_s}} << qint64(1234) << bearer;
        // Zero or below: read as absent, as is a missing expires_in: the usual hour.
        QTest::newRow("expires_in negative") << QJsonObject{{u"expires_in"_s, -60}} << qint64(3600) << bearer;
        // Absurdly far: clamped to a year and a day, never overflowing.
        QTest::newRow("expires_in huge")
            << QJsonObject{{u"expires_in"_s, 1e300}} << qint64(366 * 86400) << bearer;
        QTest::newRow("expires_in 2^63-1")
            << QJsonObject{{u"expires_in"_s, u"9223372036854775807"_s}} << qint64(366 * 86400) << bearer;
        // Another token type reaches the caller as AccessTokenInfo::tokenType says (azure.identity's
        // token_type), so that a caller building a Bearer header can tell.
        QTest::newRow("token_type pop")
            << QJsonObject{{u"token_type"_s, u"pop"_s}} << qint64(3600) << QStringLiteral("pop");
    }

    void oddTokenFieldsAreClampedOrPassedOn()
    {
        QFETCH(QJsonObject, fields);
        QFETCH(qint64, lifetime);
        QFETCH(QString, tokenType);
        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 3600}});
        UsernamePasswordCredential credential(aliceOptions(m_sandbox, std::make_shared<TokenCache>()));
        QVERIFY(!m_sandbox.fault({{u"endpoint"_s, u"token"_s}, {u"fields"_s, fields}}).isNull());
        const TokenResult result = m_secretsSeen.getToken(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.value().expiresOn - m_clock.now(), lifetime);
        QCOMPARE(result.value().tokenType, tokenType);
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
