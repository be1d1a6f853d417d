// The token endpoint's success answers (parseTokenResponse).

#include "oauth.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace azid;
using namespace azid::detail;

namespace {

const QString kContext = QStringLiteral("Authentication failed");
const QString kRequestId = QStringLiteral("1d2c3b4a-0000-4000-8000-0000000000aa");

QByteArray jwt(const QJsonObject &payload)
{
    return base64UrlEncode(R"({"alg":"RS256","typ":"JWT","kid":"k1"})") + '.' +
           base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + ".c2lnbmF0dXJl";
}

HttpResponse ok(const QJsonObject &body)
{
    HttpResponse r;
    r.status = 200;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    r.clientRequestId = kRequestId;
    return r;
}

HttpResponse raw(int status, const QByteArray &body)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.clientRequestId = kRequestId;
    return r;
}

QJsonObject idTokenClaims()
{
    return QJsonObject{{QStringLiteral("aud"), QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46")},
                       {QStringLiteral("iss"), QStringLiteral("https://login.microsoftonline.com/"
                                                              "72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0")},
                       {QStringLiteral("name"), QStringLiteral("Zo\u00eb \u65e5\u672c")},
                       {QStringLiteral("oid"), QStringLiteral("00000000-0000-0000-66f3-3332eca7ea81")},
                       {QStringLiteral("preferred_username"), QStringLiteral("zoe@contoso.example")},
                       {QStringLiteral("sub"), QStringLiteral("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ")},
                       {QStringLiteral("tid"), QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47")},
                       {QStringLiteral("nonce"), QStringLiteral("abcdef")}};
}

} // namespace

class TestTokenResponse : public QObject
{
    Q_OBJECT

private slots:
    void fullAnswer();
    void numbersAsNumbersOrStrings_data();
    void numbersAsNumbersOrStrings();
    void absoluteExpiry();
    void minimalAnswer();
    void missingAccessToken_data();
    void missingAccessToken();
    void notJson_data();
    void notJson();
    void undecodableIdToken();
    void errorStatusIsAnError();
    void transportFailureIsAnError();
};

void TestTokenResponse::fullAnswer()
{
    const QByteArray idToken = jwt(idTokenClaims());
    const QJsonObject body{
        {QStringLiteral("token_type"), QStringLiteral("Bearer")},
        {QStringLiteral("scope"), QStringLiteral("https://management.azure.com/user_impersonation "
                                                 "https://management.azure.com/.default")},
        {QStringLiteral("expires_in"), QStringLiteral("3599")},
        {QStringLiteral("ext_expires_in"), 7199},
        {QStringLiteral("refresh_in"), 1799},
        {QStringLiteral("access_token"), QStringLiteral("eyJ0eXAiOiJKV1QiLCJhbGciOi.access")},
        {QStringLiteral("refresh_token"), QStringLiteral("0.AXoAv4j5cvGGr0GRqy180BHbRw.refresh")},
        {QStringLiteral("id_token"), QString::fromLatin1(idToken)},
        {QStringLiteral("client_info"),
         QStringLiteral(
             "eyJ1aWQiOiIwMDAwMDAwMC0wMDAwLTAwMDAtNjZmMy0zMzMyZWNhN2VhODEiLCJ1dGlkIjoiOTE4ODA0MGQtNmM2Ny00Yz"
             "ViLWIxMTItMzZhMzA0YjY2ZGFkIn0")},
        {QStringLiteral("foci"), QStringLiteral("1")},
    };
    const auto parsed = parseTokenResponse(ok(body), kContext);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
    const TokenResponse &t = parsed.value();
    QCOMPARE(t.accessToken.revealString(), QStringLiteral("eyJ0eXAiOiJKV1QiLCJhbGciOi.access"));
    QCOMPARE(t.tokenType, QStringLiteral("Bearer"));
    QCOMPARE(t.expiresIn, qint64(3599));
    QCOMPARE(t.extExpiresIn, qint64(7199));
    QVERIFY(t.refreshIn);
    QCOMPARE(*t.refreshIn, qint64(1799));
    QVERIFY(!t.expiresOn);
    QCOMPARE(t.refreshToken.revealString(), QStringLiteral("0.AXoAv4j5cvGGr0GRqy180BHbRw.refresh"));
    QCOMPARE(t.idToken.reveal(), idToken);
    QCOMPARE(t.idTokenClaims, idTokenClaims());
    QVERIFY(t.clientInfo);
    QCOMPARE(t.clientInfo->uid, QStringLiteral("00000000-0000-0000-66f3-3332eca7ea81"));
    QCOMPARE(t.clientInfo->utid, QStringLiteral("9188040d-6c67-4c5b-b112-36a304b66dad"));
    QCOMPARE(t.scopes, (QStringList{QStringLiteral("https://management.azure.com/user_impersonation"),
                                    QStringLiteral("https://management.azure.com/.default")}));
    QCOMPARE(t.foci, QStringLiteral("1"));
}

void TestTokenResponse::numbersAsNumbersOrStrings_data()
{
    QTest::addColumn<QJsonValue>("expiresIn");
    QTest::addColumn<QJsonValue>("refreshIn");
    QTest::addColumn<qint64>("expectedExpiresIn");
    QTest::addColumn<qint64>("expectedRefreshIn"); // -1: absent

    QTest::newRow("numbers") << QJsonValue(3599) << QJsonValue(1800) << qint64(3599) << qint64(1800);
    QTest::newRow("strings") << QJsonValue(QStringLiteral("3599")) << QJsonValue(QStringLiteral("1800"))
                             << qint64(3599) << qint64(1800);
    QTest::newRow("no refresh_in") << QJsonValue(QStringLiteral("4999")) << QJsonValue(QJsonValue::Undefined)
                                   << qint64(4999) << qint64(-1);
    QTest::newRow("garbage") << QJsonValue(QStringLiteral("an hour")) << QJsonValue(QStringLiteral("soon"))
                             << qint64(0) << qint64(-1);
}

void TestTokenResponse::numbersAsNumbersOrStrings()
{
    QFETCH(QJsonValue, expiresIn);
    QFETCH(QJsonValue, refreshIn);
    QFETCH(qint64, expectedExpiresIn);
    QFETCH(qint64, expectedRefreshIn);
    QJsonObject body{{QStringLiteral("access_token"), QStringLiteral("at")},
                     {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                     {QStringLiteral("expires_in"), expiresIn}};
    if (!refreshIn.isUndefined())
        body.insert(QStringLiteral("refresh_in"), refreshIn);
    const auto parsed = parseTokenResponse(ok(body), kContext);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value().expiresIn, expectedExpiresIn);
    QCOMPARE(parsed.value().refreshIn.value_or(-1), expectedRefreshIn);
}

void TestTokenResponse::absoluteExpiry()
{
    // Some servers (managed identity, ADFS) send expires_on instead of expires_in.
    const auto parsed =
        parseTokenResponse(ok(QJsonObject{{QStringLiteral("access_token"), QStringLiteral("at")},
                                          {QStringLiteral("expires_on"), QStringLiteral("1735689600")}}),
                           kContext);
    QVERIFY(parsed.ok());
    QVERIFY(parsed.value().expiresOn);
    QCOMPARE(*parsed.value().expiresOn, qint64(1735689600));
    QCOMPARE(parsed.value().expiresIn, qint64(0));
}

void TestTokenResponse::minimalAnswer()
{
    const auto parsed = parseTokenResponse(
        ok(QJsonObject{{QStringLiteral("access_token"), QStringLiteral("only")}}), kContext);
    QVERIFY(parsed.ok());
    const TokenResponse &t = parsed.value();
    QCOMPARE(t.accessToken.revealString(), QStringLiteral("only"));
    QCOMPARE(t.tokenType, QStringLiteral("Bearer"));
    QVERIFY(t.refreshToken.isEmpty());
    QVERIFY(t.idToken.isEmpty());
    QVERIFY(t.idTokenClaims.isEmpty());
    QVERIFY(!t.clientInfo);
    QVERIFY(t.scopes.isEmpty());
    QVERIFY(t.foci.isEmpty());
    QVERIFY(!t.refreshIn);

    const auto pop =
        parseTokenResponse(ok(QJsonObject{{QStringLiteral("access_token"), QStringLiteral("x")},
                                          {QStringLiteral("token_type"), QStringLiteral("pop")}}),
                           kContext);
    QVERIFY(pop.ok());
    QCOMPARE(pop.value().tokenType, QStringLiteral("pop"));
}

void TestTokenResponse::missingAccessToken_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("absent") << QByteArray(
        R"({"token_type":"Bearer","expires_in":3599,"refresh_token":"rt"})");
    QTest::newRow("empty") << QByteArray(R"({"access_token":"","expires_in":3599})");
    QTest::newRow("not a string") << QByteArray(R"({"access_token":12345})");
    QTest::newRow("empty object") << QByteArray("{}");
}

void TestTokenResponse::missingAccessToken()
{
    QFETCH(QByteArray, body);
    const auto parsed = parseTokenResponse(raw(200, body), kContext);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::ClientAuthentication);
    QVERIFY2(parsed.error().message.startsWith(kContext), qPrintable(parsed.error().message));
    QVERIFY2(parsed.error().message.contains(QStringLiteral("no access token")),
             qPrintable(parsed.error().message));
    QCOMPARE(parsed.error().correlationId, kRequestId);
}

void TestTokenResponse::notJson_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("html") << QByteArray("<html>captive portal</html>");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("array") << QByteArray(R"([{"access_token":"x"}])");
    QTest::newRow("truncated") << QByteArray(R"({"access_token":"x")");
}

void TestTokenResponse::notJson()
{
    QFETCH(QByteArray, body);
    const auto parsed = parseTokenResponse(raw(200, body), kContext);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message.startsWith(kContext), qPrintable(parsed.error().message));
    QVERIFY2(parsed.error().message.contains(QStringLiteral("not valid JSON")),
             qPrintable(parsed.error().message));
    QCOMPARE(parsed.error().httpStatus, 200);
    QCOMPARE(parsed.error().correlationId, kRequestId);
}

void TestTokenResponse::undecodableIdToken()
{
    const auto parsed =
        parseTokenResponse(ok(QJsonObject{{QStringLiteral("access_token"), QStringLiteral("at")},
                                          {QStringLiteral("id_token"), QStringLiteral("not-a-jwt")}}),
                           kContext);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message.contains(QStringLiteral("identity token")),
             qPrintable(parsed.error().message));
}

void TestTokenResponse::errorStatusIsAnError()
{
    const QByteArray body =
        R"({"error":"invalid_grant","error_description":"AADSTS70008: expired.\r\nTrace ID: t",)"
        R"("error_codes":[70008],"correlation_id":"corr"})";
    const auto parsed = parseTokenResponse(raw(400, body), kContext);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().oauthError, QStringLiteral("invalid_grant"));
    QCOMPARE(parsed.error().errorCodes, QList<int>{70008});
    QCOMPARE(parsed.error().httpStatus, 400);
    QCOMPARE(parsed.error().correlationId, QStringLiteral("corr"));
    QCOMPARE(parsed.error().message, kContext + QStringLiteral(": AADSTS70008: expired."));
}

void TestTokenResponse::transportFailureIsAnError()
{
    HttpResponse r;
    r.transportError = QStringLiteral("Host not found");
    r.clientRequestId = kRequestId;
    const auto parsed = parseTokenResponse(r, kContext);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().httpStatus, 0);
    QCOMPARE(parsed.error().message, kContext + QStringLiteral(": Host not found"));
}

QTEST_GUILESS_MAIN(TestTokenResponse)
#include "tst_tokenresponse.moc"
