// getBearerTokenProvider (azure.identity's get_bearer_token_provider), asynchronous form, with a
// credential that counts its requests and answers what the test scripts: the provider keeps a token
// while it is good and asks again when it nears expiry, passes refresh_on, or after a failure.
#include "azid/bearertokenprovider.h"

#include <QDateTime>
#include <QtTest>

#include <deque>

using namespace azid;

namespace {

class ScriptedCredential final : public TokenCredential
{
public:
    std::deque<TokenResult> answers;
    QList<TokenRequestOptions> requests;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override
    {
        requests.append(options);
        TokenResult answer = answers.empty()
                                 ? TokenResult(AuthError::unavailable(QStringLiteral("no script")))
                                 : answers.front();
        if (!answers.empty())
            answers.pop_front();
        return QtFuture::makeReadyFuture(answer);
    }
    QString name() const override { return QStringLiteral("ScriptedCredential"); }
};

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

TokenResult token(const char *value, qint64 expiresIn, std::optional<qint64> refreshIn = std::nullopt)
{
    AccessTokenInfo info;
    info.token = Secret(QByteArray(value));
    info.expiresOn = now() + expiresIn;
    if (refreshIn)
        info.refreshOn = now() + *refreshIn;
    return info;
}

QByteArray call(const BearerTokenProvider &provider, QString *error = nullptr)
{
    const QFuture<Result<Secret>> future = provider();
    if (!future.isFinished() || future.resultCount() != 1)
        return "<not finished>";
    const Result<Secret> result = future.result();
    if (!result.ok()) {
        if (error)
            *error = result.error().message;
        return "<error>";
    }
    return result.value().reveal();
}

} // namespace

class TestBearerTokenProvider : public QObject
{
    Q_OBJECT

private slots:
    void asksForTheFixedScopes()
    {
        auto credential = std::make_shared<ScriptedCredential>();
        credential->answers.push_back(token("one", 3600));
        const QStringList scopes{QStringLiteral("https://vault.azure.net/.default"),
                                 QStringLiteral("https://storage.azure.com/.default")};
        const BearerTokenProvider provider = getBearerTokenProvider(credential, scopes);
        QCOMPARE(call(provider), QByteArray("one"));
        QCOMPARE(credential->requests.size(), 1);
        QCOMPARE(credential->requests.first().scopes, scopes);
        QVERIFY(credential->requests.first().claims.isEmpty());
        QVERIFY(credential->requests.first().tenantId.isEmpty());
        QVERIFY(!credential->requests.first().enableCae);
    }

    // When to ask the credential again: as azure-core's BearerTokenCredentialPolicy decides.
    void refreshesAsNeeded_data()
    {
        QTest::addColumn<qint64>("expiresIn");
        QTest::addColumn<qint64>("refreshIn"); // 0: no refresh_on
        QTest::addColumn<bool>("asksAgain");
        QTest::newRow("an hour left") << qint64(3600) << qint64(0) << false;
        QTest::newRow("refresh_on ahead") << qint64(7200) << qint64(3600) << false;
        QTest::newRow("refresh_on passed") << qint64(7200) << qint64(-1) << true;
        QTest::newRow("under 5 minutes left") << qint64(299) << qint64(0) << true;
        QTest::newRow("expired") << qint64(-10) << qint64(0) << true;
    }
    void refreshesAsNeeded()
    {
        QFETCH(qint64, expiresIn);
        QFETCH(qint64, refreshIn);
        QFETCH(bool, asksAgain);
        auto credential = std::make_shared<ScriptedCredential>();
        credential->answers.push_back(
            token("first", expiresIn, refreshIn ? std::optional<qint64>(refreshIn) : std::nullopt));
        credential->answers.push_back(token("second", 3600));
        const BearerTokenProvider provider =
            getBearerTokenProvider(credential, {QStringLiteral("https://management.azure.com/.default")});
        QCOMPARE(call(provider), QByteArray("first"));
        QCOMPARE(call(provider), asksAgain ? QByteArray("second") : QByteArray("first"));
        QCOMPARE(credential->requests.size(), asksAgain ? 2 : 1);
        // Copies share the kept token.
        const BearerTokenProvider copy = provider;
        QCOMPARE(call(copy), asksAgain ? QByteArray("second") : QByteArray("first"));
        QCOMPARE(credential->requests.size(), asksAgain ? 2 : 1);
    }

    void failureIsAValueAndTheNextCallAsksAgain()
    {
        auto credential = std::make_shared<ScriptedCredential>();
        credential->answers.push_back(AuthError::authentication(QStringLiteral("refused")));
        credential->answers.push_back(token("later", 3600));
        const BearerTokenProvider provider =
            getBearerTokenProvider(credential, {QStringLiteral("https://management.azure.com/.default")});
        QString error;
        QCOMPARE(call(provider, &error), QByteArray("<error>"));
        QCOMPARE(error, QStringLiteral("refused"));
        QCOMPARE(call(provider), QByteArray("later"));
        QCOMPARE(credential->requests.size(), 2);
    }

    void noCredential()
    {
        const BearerTokenProvider provider = getBearerTokenProvider(std::shared_ptr<TokenCredential>(), {});
        QString error;
        QCOMPARE(call(provider, &error), QByteArray("<error>"));
        QVERIFY(!error.isEmpty());
    }

    void authorizationHeaderValue()
    {
        QCOMPARE(bearerAuthorization(Secret(QByteArray("abc.def"))).reveal(), QByteArray("Bearer abc.def"));
    }
};

QTEST_GUILESS_MAIN(TestBearerTokenProvider)
#include "tst_bearertokenprovider.moc"
