// The three user sign-in flows, silent refresh and the HTTP pipeline, for real: TLS on loopback
// against azid-sandbox, a stand-in browser that follows the authority's redirects, and a log capture
// that proves no secret of the run was logged.
#include "azid/authorityhosts.h"
#include "azid/devicecodecredential.h"
#include "azid/interactivebrowsercredential.h"
#include "azid/sharedtokencachecredential.h"
#include "azid/usernamepasswordcredential.h"

#include "credentialtesting.h"
#include "fakeclock.h"
#include "logcapture.h"
#include "sandbox.h"
#include "secretsseen.h"
#include "standinbrowser.h"
#include "testwait.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QPromise>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QtTest>

using namespace azid;
using namespace azid::test;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString AlicePassword = QStringLiteral("alice-password-1");
const QString Fabrikam = QStringLiteral("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
} // namespace

class TestUserFlows : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    test::FakeClock m_clock;
    test::SecretsSeen m_secretsSeen; // every token, code and password of the run, checked against the logs

    template <typename Options> Options options(std::shared_ptr<TokenCache> cache = {})
    {
        return m_sandbox.credentialOptions<Options>(&m_clock, std::move(cache));
    }

    UsernamePasswordCredentialOptions aliceOptions(std::shared_ptr<TokenCache> cache = {})
    {
        auto o = options<UsernamePasswordCredentialOptions>(std::move(cache));
        o.username = QStringLiteral("alice@contoso.test");
        o.password = Secret::fromString(AlicePassword);
        return o;
    }

    TokenResult token(TokenCredential &credential, const TokenRequestOptions &request)
    {
        return m_secretsSeen.getToken(credential, request);
    }

private slots:
    void initTestCase()
    {
        test::LogCapture::install();
        QVERIFY2(m_sandbox.start({QStringLiteral("--device-interval"), QStringLiteral("1")}),
                 qPrintable(m_sandbox.errorString()));
        m_secretsSeen << AlicePassword;
    }

    void init()
    {
        m_sandbox.control("DELETE", QStringLiteral("faults"));
        m_sandbox.settings({{QStringLiteral("auto_approve"), true},
                            {QStringLiteral("access_token_lifetime"), 3600},
                            {QStringLiteral("refresh_in"), 0},
                            {QStringLiteral("slow_down"), false}});
        m_sandbox.clearRequests();
    }

    void browserFlowSignsInWithPkce()
    {
        test::StandInBrowser browser(&m_sandbox);
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        InteractiveBrowserCredential credential(o);

        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(claimsOf(result.value().token).value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://management.azure.com"));
        QVERIFY(result.value().expiresOn > m_clock.now() + 3000);

        QCOMPARE(browser.openedUrls().size(), 1);
        const QUrlQuery query(browser.openedUrls().first());
        QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge")).size(), 43);
        QCOMPARE(query.queryItemValue(QStringLiteral("prompt")), QStringLiteral("select_account"));
        QCOMPARE(query.queryItemValue(QStringLiteral("state")).size(), 16);
        const QUrl redirect(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QCOMPARE(redirect.host(), QStringLiteral("localhost"));
        QVERIFY(redirect.port() > 0);
        QVERIFY(query.queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded)
                    .contains(QStringLiteral("offline_access")));
        m_secretsSeen << QUrlQuery(browser.lastRedirect()).queryItemValue(QStringLiteral("code"));

        const auto record = credential.authenticationRecord();
        QVERIFY(record.has_value());
        QCOMPARE(record->username, QStringLiteral("alice@contoso.test"));
        QCOMPARE(record->authority, m_sandbox.environment());
        QCOMPARE(record->clientId, azid::DeveloperSignOnClientId);
        QVERIFY(record->homeAccountId.contains(QLatin1Char('.')));
        QVERIFY(browser.lastPage().contains("Authentication complete"));

        // The listener closed after the one redirect it accepted.
        QCOMPARE(test::StandInBrowser::get(browser.lastRedirect()), 0);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    // redirect_uri is sent as given, host and path included, in the authorization request and in
    // the code redemption (the authority compares the two), and the redirect arrives on its path.
    void browserFlowSendsRedirectUriAsGiven_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::newRow("127.0.0.1 with a path") << QStringLiteral("http://127.0.0.1:%1/azid/callback");
        QTest::newRow("localhost with a path") << QStringLiteral("http://localhost:%1/signed-in");
        QTest::newRow("localhost without a path") << QStringLiteral("http://localhost:%1");
    }
    void browserFlowSendsRedirectUriAsGiven()
    {
        QFETCH(QString, pattern);
        QTcpServer probe; // a free port
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        const QString given = pattern.arg(port);

        test::StandInBrowser browser(&m_sandbox);
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        o.redirectUri = given;
        InteractiveBrowserCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(browser.openedUrls().size(), 1);
        QCOMPARE(QUrlQuery(browser.openedUrls().first())
                     .queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded),
                 given);
        QString arrived = browser.lastRedirect().toString(QUrl::RemoveQuery);
        if (arrived.endsWith(QLatin1Char('/')))
            arrived.chop(1); // a browser asks for "/" when the URI has no path
        QCOMPARE(arrived, given);
        m_secretsSeen << QUrlQuery(browser.lastRedirect()).queryItemValue(QStringLiteral("code"));
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void browserFlowRefusesUnusableRedirectUri_data()
    {
        QTest::addColumn<QString>("redirectUri");
        QTest::newRow("no port") << QStringLiteral("http://localhost/callback");
        QTest::newRow("https") << QStringLiteral("https://localhost:8400");
        QTest::newRow("another host") << QStringLiteral("http://example.com:8400/callback");
        QTest::newRow("not a URL") << QStringLiteral("localhost:8400");
    }
    void browserFlowRefusesUnusableRedirectUri()
    {
        QFETCH(QString, redirectUri);
        test::StandInBrowser browser(&m_sandbox);
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        o.redirectUri = redirectUri;
        InteractiveBrowserCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(QStringLiteral("redirect_uri")),
                 qPrintable(result.error().message));
        QVERIFY(browser.openedUrls().isEmpty());
    }

    void browserFlowHonoursLoginHintAndAuthenticate()
    {
        test::StandInBrowser browser(&m_sandbox);
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        o.loginHint = QStringLiteral("bob@contoso.test");
        InteractiveBrowserCredential credential(o);
        const auto record = await(credential.authenticate({Graph}));
        QVERIFY2(record.ok(), qPrintable(record.ok() ? QString() : record.error().toString()));
        QCOMPARE(record.value().username, QStringLiteral("bob@contoso.test"));
        QCOMPARE(QUrlQuery(browser.openedUrls().first())
                     .queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded),
                 QStringLiteral("bob@contoso.test"));
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void authenticateWithoutScopesOnAnUnknownCloudIsUnavailable()
    {
        test::StandInBrowser browser(&m_sandbox);
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        InteractiveBrowserCredential credential(o);
        const auto record = await(credential.authenticate());
        QVERIFY(!record.ok());
        QCOMPARE(record.error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY(browser.openedUrls().isEmpty());
    }

    void recordFromOneCredentialSignsAnotherInSilently()
    {
        auto cache = std::make_shared<TokenCache>();
        test::StandInBrowser browser(&m_sandbox);
        auto o = options<InteractiveBrowserCredentialOptions>(cache);
        o.openBrowser = browser.opener();
        InteractiveBrowserCredential signIn(o);
        const auto record = await(signIn.authenticate({Arm}));
        QVERIFY(record.ok());
        const QString serialized = record.value().serialize();

        m_sandbox.clearRequests();
        auto d = options<DeviceCodeCredentialOptions>(cache);
        d.authenticationRecord = AuthenticationRecord::deserialize(serialized).value();
        d.disableAutomaticAuthentication = true;
        DeviceCodeCredential second(d);
        // As in azure.identity, the record's tenant becomes the credential's tenant: the token cached
        // under "organizations" does not match, and the refresh token redeems one silently.
        const TokenResult first = token(second, tokenRequest({Arm}));
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        const TokenResult cached = token(second, tokenRequest({Arm}));
        QVERIFY(cached.ok());
        QCOMPARE(cached.value().token, first.value().token);
        // Another resource: redeemed silently with the refresh token too, never interactively.
        const TokenResult graph = token(second, tokenRequest({Graph}));
        QVERIFY2(graph.ok(), qPrintable(graph.ok() ? QString() : graph.error().toString()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 2);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("devicecode")), 0);
        m_secretsSeen.rememberCachedTokens(*cache);
    }

    void deviceCodeFlowIsApprovedOnTheVerificationPage()
    {
        auto o = options<DeviceCodeCredentialOptions>();
        QString shownCode;
        QString shownUri;
        o.promptCallback = [&](const QString &uri, const QString &code, const QDateTime &expiresOn) {
            shownCode = code;
            shownUri = uri;
            QVERIFY(expiresOn > QDateTime::currentDateTimeUtc());
            QTimer::singleShot(0, [this, code]() {
                m_sandbox.control("POST", QStringLiteral("device/approve"),
                                  QJsonDocument(QJsonObject{
                                      {QStringLiteral("user_code"), code},
                                      {QStringLiteral("username"), QStringLiteral("alice@contoso.test")}}));
            });
        };
        DeviceCodeCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(shownCode.size(), 9);
        QVERIFY(shownUri.startsWith(m_sandbox.authority()));
        QCOMPARE(credential.authenticationRecord()->username, QStringLiteral("alice@contoso.test"));
        QVERIFY(m_sandbox.countRequests(QStringLiteral("token"),
                                        QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")) >= 1);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void deviceCodeFlowReportsADecline()
    {
        auto o = options<DeviceCodeCredentialOptions>();
        o.promptCallback = [this](const QString &, const QString &code, const QDateTime &) {
            QTimer::singleShot(0, [this, code]() {
                m_sandbox.control("POST", QStringLiteral("device/decline"),
                                  QJsonDocument(QJsonObject{{QStringLiteral("user_code"), code}}));
            });
        };
        DeviceCodeCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY2(result.error().message.contains(QStringLiteral("declined")),
                 qPrintable(result.error().message));
    }

    void deviceCodeFlowTimesOutWhenNobodySignsIn()
    {
        auto o = options<DeviceCodeCredentialOptions>();
        o.clock = nullptr; // polling follows real time here
        o.promptCallback = [](const QString &, const QString &, const QDateTime &) {};
        o.timeout = std::chrono::seconds(2);
        DeviceCodeCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QVERIFY2(
            result.error().message.contains(QStringLiteral("Timed out waiting for user to authenticate")),
            qPrintable(result.error().message));
    }

    void deviceCodeFlowSlowsDownWhenAsked()
    {
        m_sandbox.settings({{QStringLiteral("slow_down"), true}});
        auto o = options<DeviceCodeCredentialOptions>();
        o.clock = nullptr;
        o.promptCallback = [&](const QString &, const QString &code, const QDateTime &) {
            QTimer::singleShot(3000, [this, code]() {
                m_sandbox.control("POST", QStringLiteral("device/approve"),
                                  QJsonDocument(QJsonObject{
                                      {QStringLiteral("user_code"), code},
                                      {QStringLiteral("username"), QStringLiteral("bob@contoso.test")}}));
            });
        };
        DeviceCodeCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        // The sandbox answers the second poll with slow_down, and any poll after that which comes
        // before the interval grown by 5 s with slow_down again: exactly one means the client waited.
        const QString deviceGrant = QStringLiteral("urn:ietf:params:oauth:grant-type:device_code");
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), deviceGrant, QStringLiteral("slow_down")),
                 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), deviceGrant), 3);
    }

    void passwordFlowSignsIn()
    {
        UsernamePasswordCredential credential(aliceOptions());
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(claimsOf(result.value().token).value(QStringLiteral("upn")).toString(),
                 QStringLiteral("alice@contoso.test"));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("userrealm")), 1);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void passwordFlowErrorsSayWhatToDo_data()
    {
        QTest::addColumn<QString>("username");
        QTest::addColumn<QString>("password");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("advice");
        QTest::newRow("wrong password") << "alice@contoso.test"
                                        << "not-her-password" << 50126 << "incorrect";
        QTest::newRow("mfa required") << "mfa@contoso.test"
                                      << "mfa-password-1" << 50076 << "multi-factor";
        QTest::newRow("mfa enrolment") << "enrol@contoso.test"
                                       << "enrol-password-1" << 50079 << "register";
        QTest::newRow("consent") << "consent@contoso.test"
                                 << "consent-password-1" << 65001 << "consent";
        QTest::newRow("federated") << "fed@fabrikam.test"
                                   << "fed-password-1" << 0 << "federated";
    }

    void passwordFlowErrorsSayWhatToDo()
    {
        QFETCH(QString, username);
        QFETCH(QString, password);
        QFETCH(int, code);
        QFETCH(QString, advice);
        auto o = options<UsernamePasswordCredentialOptions>();
        o.username = username;
        o.password = Secret::fromString(password);
        m_secretsSeen << password;
        UsernamePasswordCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY2(result.error().message.contains(advice), qPrintable(result.error().message));
        if (code)
            QVERIFY2(result.error().hasCode(code), qPrintable(result.error().toString()));
        QVERIFY(!result.error().correlationId.isEmpty() || code == 0);
    }

    void cachedTokenIsServedWithoutTheNetworkUntilItNearsExpiry()
    {
        auto cache = std::make_shared<TokenCache>();
        UsernamePasswordCredential credential(aliceOptions(cache));
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY(first.ok());
        m_sandbox.clearRequests();

        m_clock.advance(3600 - 301); // still more than 5 minutes left
        const TokenResult cached = token(credential, tokenRequest({Arm}));
        QVERIFY(cached.ok());
        QCOMPARE(cached.value().token, first.value().token);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);

        const QByteArray rotatedBefore = cache->serialize();
        m_clock.advance(2); // now inside the 5-minute window: refreshed silently
        const TokenResult refreshed = token(credential, tokenRequest({Arm}));
        QVERIFY2(refreshed.ok(), qPrintable(refreshed.ok() ? QString() : refreshed.error().toString()));
        QVERIFY(!(refreshed.value().token == first.value().token));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 0);

        // The rotated refresh token replaced the old one in the cache.
        const auto secretOf = [](const QByteArray &json) {
            const QJsonObject rts =
                QJsonDocument::fromJson(json).object().value(QStringLiteral("RefreshToken")).toObject();
            return rts.isEmpty() ? QString()
                                 : rts.begin()->toObject().value(QStringLiteral("secret")).toString();
        };
        QVERIFY(!secretOf(rotatedBefore).isEmpty());
        QVERIFY(secretOf(cache->serialize()) != secretOf(rotatedBefore));
        m_secretsSeen.rememberCachedTokens(*cache);
        m_secretsSeen << secretOf(rotatedBefore);
    }

    void refreshOnDrivesAnEarlyRefreshThatMayFail()
    {
        m_sandbox.settings({{QStringLiteral("refresh_in"), 600}});
        UsernamePasswordCredential credential(aliceOptions());
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY(first.ok());
        QVERIFY(first.value().refreshOn.has_value());
        QCOMPARE(*first.value().refreshOn - first.value().expiresOn, qint64(600 - 3600));

        m_clock.advance(601);
        // The authority is down: the still-valid token keeps being served.
        m_sandbox.fault({{QStringLiteral("endpoint"), QStringLiteral("token")},
                         {QStringLiteral("status"), 503},
                         {QStringLiteral("count"), 10}});
        const TokenResult during = token(credential, tokenRequest({Arm}));
        QVERIFY2(during.ok(), qPrintable(during.ok() ? QString() : during.error().toString()));
        QCOMPARE(during.value().token, first.value().token);

        m_sandbox.control("DELETE", QStringLiteral("faults"));
        const TokenResult after = token(credential, tokenRequest({Arm}));
        QVERIFY(after.ok());
        QVERIFY(!(after.value().token == first.value().token));
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    // A user token of two hours or more without refresh_in is refreshed half-way through (MSAL's rule).
    void longLivedUserTokenRefreshesHalfWay()
    {
        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 14400}});
        UsernamePasswordCredential credential(aliceOptions());
        const qint64 asked = m_clock.now();
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
        QCOMPARE(first.value().expiresOn, asked + 14400);
        QCOMPARE(first.value().refreshOn.value_or(0), asked + 7200);
        m_clock.advance(7199);
        QCOMPARE(token(credential, tokenRequest({Arm})).value().token, first.value().token);
        m_clock.advance(1);
        const TokenResult refreshed = token(credential, tokenRequest({Arm}));
        QVERIFY(refreshed.ok());
        QVERIFY(!(refreshed.value().token == first.value().token));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void concurrentRequestsForOneExpiredKeyShareOneRefresh()
    {
        UsernamePasswordCredential credential(aliceOptions());
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        m_clock.advance(3600);
        m_sandbox.clearRequests();
        QList<QFuture<TokenResult>> futures;
        for (int i = 0; i < 1000; ++i)
            futures.append(credential.getTokenInfo(tokenRequest({Arm})));
        for (const auto &f : futures) {
            const TokenResult r = await(f);
            QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        }
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void revokedRefreshTokenRequiresSignInAgain()
    {
        auto o = aliceOptions();
        UsernamePasswordCredential credential(o);
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        m_sandbox.control(
            "POST", QStringLiteral("revoke"),
            QJsonDocument(QJsonObject{{QStringLiteral("username"), QStringLiteral("alice@contoso.test")}}));
        m_clock.advance(3600);
        // Automatic authentication is on: the password flow runs again and succeeds.
        const TokenResult again = token(credential, tokenRequest({Arm}));
        QVERIFY2(again.ok(), qPrintable(again.ok() ? QString() : again.error().toString()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("password")), 2);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void sharedCacheRefreshIsSavedBeforeTheTokenIsReturned()
    {
        // Alice signed in with the developer sign-on app (a family refresh token in the cache).
        auto cache = std::make_shared<TokenCache>();
        UsernamePasswordCredential alice(aliceOptions(cache));
        QVERIFY(token(alice, tokenRequest({Arm})).ok());
        m_sandbox.clearRequests();

        SharedTokenCacheCredentialOptions o;
        o.authority = m_sandbox.authority();
        o.disableInstanceDiscovery = true;
        o.http.caBundleFile = m_sandbox.caFile();
        o.clock = &m_clock;
        o.cache = cache;
        QPromise<VoidResult> saving;
        int saves = 0;
        o.saveCache = [&saving, &saves] {
            ++saves;
            saving.start();
            return saving.future();
        };
        SharedTokenCacheCredential shared({}, o);

        // A scope not in the cache: a refresh, and the refreshed cache goes to the shared cache.
        const QFuture<TokenResult> pending = shared.getTokenInfo(tokenRequest({Graph}));
        QVERIFY(QTest::qWaitFor([&saves] { return saves == 1; }, 120000));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QVERIFY2(!pending.isFinished(), "the token was handed out before the shared cache had it");
        saving.addResult(VoidResult(Done{}));
        saving.finish();
        const TokenResult saved = await(pending);
        QVERIFY2(saved.ok(), qPrintable(saved.ok() ? QString() : saved.error().toString()));
        m_secretsSeen << saved.value().token.revealString();
        QCOMPARE(claimsOf(saved.value().token).value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://graph.microsoft.com"));

        // A save that fails is logged, and the token still handed out.
        o.saveCache = [] {
            return QtFuture::makeReadyFuture(
                VoidResult(AuthError::unavailable(QStringLiteral("keychain locked"))));
        };
        SharedTokenCacheCredential unsaved({}, o);
        const TokenResult anyway =
            token(unsaved, tokenRequest({QStringLiteral("https://vault.azure.net/.default")}));
        QVERIFY2(anyway.ok(), qPrintable(anyway.ok() ? QString() : anyway.error().toString()));
        QCOMPARE(
            test::LogCapture::find(QStringLiteral("could not be saved to the shared cache: keychain locked"))
                .size(),
            1);
        m_secretsSeen.rememberCachedTokens(*cache);
    }

    void claimsChallengeIsSentAndRequiredInteractionReported()
    {
        auto cache = std::make_shared<TokenCache>();
        UsernamePasswordCredential signIn(aliceOptions(cache));
        QVERIFY(token(signIn, tokenRequest({Arm})).ok());
        const QString challenge =
            QStringLiteral("{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c1\"}}}");
        m_sandbox.control(
            "POST", QStringLiteral("require-claims"),
            QJsonDocument(QJsonObject{{QStringLiteral("username"), QStringLiteral("alice@contoso.test")},
                                      {QStringLiteral("claims"), challenge}}));
        m_clock.advance(3600);

        auto o = options<DeviceCodeCredentialOptions>(cache);
        o.authenticationRecord = signIn.authenticationRecord();
        o.disableAutomaticAuthentication = true;
        DeviceCodeCredential silentOnly(o);
        const TokenResult required = token(silentOnly, tokenRequest({Arm}));
        QVERIFY(!required.ok());
        QCOMPARE(required.error().kind, ErrorKind::AuthenticationRequired);
        QCOMPARE(required.error().scopes, QStringList{Arm});
        QCOMPARE(required.error().claims, challenge);
        QVERIFY(required.error().hasCode(50076));

        // With the claims, the refresh satisfies the challenge and the AT cache is bypassed.
        const TokenResult satisfied = token(silentOnly, tokenRequest({Arm}, challenge));
        QVERIFY2(satisfied.ok(), qPrintable(satisfied.ok() ? QString() : satisfied.error().toString()));
        QCOMPARE(claimsOf(satisfied.value().token).value(QStringLiteral("acrs")).toArray().first().toString(),
                 QStringLiteral("c1"));
        m_secretsSeen.rememberCachedTokens(*cache);
    }

    void caeRequestsCarryCp1AndUseTheirOwnCache()
    {
        UsernamePasswordCredential credential(aliceOptions());
        const TokenResult plain = token(credential, tokenRequest({Arm}));
        const TokenResult cae = token(credential, {{Arm}, {}, {}, true});
        QVERIFY(plain.ok() && cae.ok());
        QVERIFY(!(plain.value().token == cae.value().token));
        QVERIFY(!claimsOf(plain.value().token).contains(QStringLiteral("xms_cc")));
        QCOMPARE(claimsOf(cae.value().token).value(QStringLiteral("xms_cc")).toArray().first().toString(),
                 QStringLiteral("CP1"));
        QCOMPARE(credential.tokenCache().accessTokenCount(), 1);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void tenantRulesAreEnforced()
    {
        auto o = aliceOptions();
        o.tenantId = QStringLiteral("contoso.test");
        UsernamePasswordCredential strict(o);
        QVERIFY(token(strict, tokenRequest({Arm})).ok());
        const TokenResult refused = token(strict, {{Arm}, {}, Fabrikam});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY(refused.error().message.contains(QStringLiteral("additionally_allowed_tenants")));

        o.additionallyAllowedTenants = {QStringLiteral("*")};
        UsernamePasswordCredential open(o);
        QVERIFY(token(open, tokenRequest({Arm})).ok());
        m_sandbox.clearRequests();
        const TokenResult other = token(open, {{Arm}, {}, Fabrikam});
        QVERIFY2(other.ok(), qPrintable(other.ok() ? QString() : other.error().toString()));
        QCOMPARE(claimsOf(other.value().token).value(QStringLiteral("tid")).toString(), Fabrikam);
        // Redeemed with the home tenant's refresh token, not with the password again.
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        const TokenResult invalid = token(open, {{Arm}, {}, QStringLiteral("bad/tenant")});
        QVERIFY(!invalid.ok());
        m_secretsSeen.rememberCachedTokens(open.tokenCache());
    }

    // The reference's rule 5 (azure.identity 1.25): "organizations" (the default tenant) with no
    // allow-list asks for the requested tenant; with an allow-list, only for the tenants on it.
    void organizationsWithoutAllowListAsksForTheRequestedTenant()
    {
        auto o = aliceOptions();
        UsernamePasswordCredential organizations(o);
        QVERIFY(token(organizations, tokenRequest({Arm})).ok());
        const TokenResult other = token(organizations, {{Arm}, {}, Fabrikam});
        QVERIFY2(other.ok(), qPrintable(other.ok() ? QString() : other.error().toString()));
        QCOMPARE(claimsOf(other.value().token).value(QStringLiteral("tid")).toString(), Fabrikam);
        m_secretsSeen.rememberCachedTokens(organizations.tokenCache());

        o.additionallyAllowedTenants = {QStringLiteral("00000000-0000-0000-0000-000000000001")};
        UsernamePasswordCredential listed(o);
        QVERIFY(token(listed, tokenRequest({Arm})).ok());
        const TokenResult refused = token(listed, {{Arm}, {}, Fabrikam});
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.contains(QStringLiteral("additionally_allowed_tenants")));
        m_secretsSeen.rememberCachedTokens(listed.tokenCache());
    }

    void transientFailuresAreRetried_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("retryAfter");
        QTest::addColumn<bool>("succeeds");
        QTest::newRow("429 with Retry-After") << 429 << 1 << 1 << true;
        QTest::newRow("500 twice") << 500 << 2 << 0 << true;
        QTest::newRow("503 three times") << 503 << 3 << 0 << true;
        QTest::newRow("504 beyond the retries") << 504 << 4 << 0 << false;
        QTest::newRow("400 is not retried") << 400 << 1 << 0 << false;
    }

    void transientFailuresAreRetried()
    {
        QFETCH(int, status);
        QFETCH(int, count);
        QFETCH(int, retryAfter);
        QFETCH(bool, succeeds);
        QJsonObject fault{{QStringLiteral("endpoint"), QStringLiteral("token")},
                          {QStringLiteral("status"), status},
                          {QStringLiteral("count"), count}};
        if (retryAfter)
            fault.insert(QStringLiteral("retry_after"), retryAfter);
        m_sandbox.fault(fault);
        UsernamePasswordCredential credential(aliceOptions());
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QCOMPARE(result.ok(), succeeds);
        if (!succeeds)
            QCOMPARE(result.error().httpStatus, status);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), succeeds ? count + 1 : std::min(count, 4));
    }

    void malformedAnswersGiveAClearError()
    {
        m_sandbox.fault(
            {{QStringLiteral("endpoint"), QStringLiteral("token")}, {QStringLiteral("malformed"), true}});
        UsernamePasswordCredential credential(aliceOptions());
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(QStringLiteral("not valid JSON")),
                 qPrintable(result.error().message));
        // Nothing half-parsed reached the cache.
        QCOMPARE(credential.tokenCache().accessTokenCount(), 0);
    }

    void slowAnswersHitTheTransferTimeout()
    {
        m_sandbox.fault(
            {{QStringLiteral("endpoint"), QStringLiteral("token")}, {QStringLiteral("delay_ms"), 4000}});
        auto o = aliceOptions();
        o.http.transferTimeout = std::chrono::milliseconds(500);
        o.http.maxRetries = 0;
        UsernamePasswordCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(QStringLiteral("No answer")),
                 qPrintable(result.error().message));
    }

    void abandonedBrowserFlowTimesOut()
    {
        test::StandInBrowser browser(&m_sandbox);
        browser.deliver = false; // the user closed the browser window
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        o.timeout = std::chrono::seconds(2);
        InteractiveBrowserCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY2(result.error().message.contains(QStringLiteral("did not complete the flow in time")),
                 qPrintable(result.error().message));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);
    }

    void browserThatCannotOpenIsReported()
    {
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = [](const QUrl &) { return false; };
        InteractiveBrowserCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY(result.error().message.contains(QStringLiteral("browser")));
    }

    void loopbackListenerSurvivesAttacks()
    {
        test::StandInBrowser browser(&m_sandbox);
        QStringList answers;
        auto halfOpen = std::make_shared<QTcpSocket>();
        browser.beforeRedirect = [&](const QUrl &redirect) {
            // A page that guesses the port sends a redirect with a state of its own.
            QUrl forged = redirect;
            QUrlQuery q(forged);
            q.removeQueryItem(QStringLiteral("state"));
            q.addQueryItem(QStringLiteral("state"), QStringLiteral("forged-state"));
            forged.setQuery(q);
            QByteArray body;
            const int status = test::StandInBrowser::get(forged, &body);
            answers << QString::number(status) + QString::fromUtf8(body);
            // Garbage bytes, and a request that is never finished.
            // The start of a TLS ClientHello (a browser that tries https), then junk.
            static const char hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n";
            const QByteArray garbage(hello, sizeof hello - 1);
            answers << QString::fromLatin1(
                test::StandInBrowser::exchange(QStringLiteral("127.0.0.1"),
                                               static_cast<quint16>(redirect.port()), garbage)
                    .left(12));
            // Left half-sent: the listener must not wait for it before serving the real redirect.
            halfOpen->connectToHost(QHostAddress::LocalHost, static_cast<quint16>(redirect.port()));
            halfOpen->write("GET /?code=x&st");
            // Another path, as a favicon request would be.
            QUrl favicon = redirect;
            favicon.setPath(QStringLiteral("/favicon.ico"));
            favicon.setQuery(QString());
            answers << QString::number(test::StandInBrowser::get(favicon));
        };
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        InteractiveBrowserCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(answers.size(), 3);
        QVERIFY2(answers[0].startsWith(QStringLiteral("400")) &&
                     answers[0].contains(QStringLiteral("State mismatch")),
                 qPrintable(answers[0]));
        QVERIFY2(answers[1].startsWith(QStringLiteral("HTTP/1.1 400")), qPrintable(answers[1]));
        QCOMPARE(answers[2], QStringLiteral("404"));
        // A second, replayed redirect finds nobody listening.
        QCOMPARE(test::StandInBrowser::get(browser.lastRedirect()), 0);
        m_secretsSeen << QUrlQuery(browser.lastRedirect()).queryItemValue(QStringLiteral("code"));
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());
    }

    void withoutAutomaticAuthenticationNothingInteractiveRuns()
    {
        test::StandInBrowser browser(&m_sandbox);
        auto o = options<InteractiveBrowserCredentialOptions>();
        o.openBrowser = browser.opener();
        o.disableAutomaticAuthentication = true;
        InteractiveBrowserCredential credential(o);
        const TokenResult result = token(credential, {{Arm}, {}, {}, true});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::AuthenticationRequired);
        QCOMPARE(result.error().scopes, QStringList{Arm});
        QVERIFY(result.error().claims.contains(QStringLiteral("CP1")));
        QVERIFY(browser.openedUrls().isEmpty());
    }

    void authorityRulesAreChecked()
    {
        auto o = aliceOptions();
        o.authority = QStringLiteral("http://127.0.0.1:1");
        UsernamePasswordCredential plainHttp(o);
        const TokenResult refused = token(plainHttp, tokenRequest({Arm}));
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.contains(QStringLiteral("TLS protected (https)")));

        o = aliceOptions();
        o.disableInstanceDiscovery = false;
        QUrl discovery = m_sandbox.url();
        discovery.setPath(QStringLiteral("/common/discovery/instance"));
        o.instanceDiscoveryEndpoint = discovery;
        UsernamePasswordCredential discovered(o);
        const TokenResult viaDiscovery = token(discovered, tokenRequest({Arm}));
        QVERIFY2(viaDiscovery.ok(),
                 qPrintable(viaDiscovery.ok() ? QString() : viaDiscovery.error().toString()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("instance-discovery")), 1);

        o.authority = QStringLiteral("https://login.unknown.invalid");
        UsernamePasswordCredential unknown(o);
        const TokenResult unknownHost = token(unknown, tokenRequest({Arm}));
        QVERIFY(!unknownHost.ok());
        QCOMPARE(unknownHost.error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(unknownHost.error().message.contains(QStringLiteral("--disable-instance-discovery")),
                 qPrintable(unknownHost.error().message));

        o = aliceOptions();
        o.tenantId = QStringLiteral("no-such-tenant.test");
        UsernamePasswordCredential badTenant(o);
        const TokenResult noTenant = token(badTenant, tokenRequest({Arm}));
        QVERIFY(!noTenant.ok());
        QVERIFY2(noTenant.error().hasCode(90002), qPrintable(noTenant.error().toString()));
        m_secretsSeen.rememberCachedTokens(discovered.tokenCache());
    }

    void noSecretOfTheRunWasLogged()
    {
        // Debug logging was on throughout.
        m_secretsSeen.verifyNoneLogged(20, {QStringLiteral("code_verifier")});
    }
};

QTEST_GUILESS_MAIN(TestUserFlows)
#include "tst_userflows.moc"
