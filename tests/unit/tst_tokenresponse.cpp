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
    void numbersFromOutsideAreClamped_data();
    void numbersFromOutsideAreClamped();
    void absoluteExpiryIsClamped_data();
    void absoluteExpiryIsClamped();
    void deviceCodeAnswer();
    void deviceCodeNumbersAreClamped_data();
    void deviceCodeNumbersAreClamped();
    void deviceCodeAnswerIncomplete_data();
    void deviceCodeAnswerIncomplete();
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

void TestTokenResponse::numbersFromOutsideAreClamped_data()
{
    // expires_in, ext_expires_in and refresh_in all go through the same clamp; each row sets all three.
    QTest::addColumn<QByteArray>("number"); // the JSON text of the value
    QTest::addColumn<qint64>("expected");
    constexpr qint64 year = limits::MaxTokenLifetime;

    QTest::newRow("an hour") << QByteArray("3600") << qint64(3600);
    QTest::newRow("an hour as a string") << QByteArray(R"("3600")") << qint64(3600);
    QTest::newRow("fraction cut off") << QByteArray("3600.9") << qint64(3600);
    QTest::newRow("a year") << QByteArray("31622400") << year;
    QTest::newRow("a year and a second") << QByteArray("31622401") << year;
    QTest::newRow("2^63-1") << QByteArray("9223372036854775807") << year;
    QTest::newRow("2^63-1 as a string") << QByteArray(R"("9223372036854775807")") << year;
    QTest::newRow("2^64 as a string (not a qint64)") << QByteArray(R"("18446744073709551616")") << qint64(0);
    QTest::newRow("1e300") << QByteArray("1e300") << year;
    QTest::newRow("-1e300") << QByteArray("-1e300") << qint64(0);
    QTest::newRow("-2^63 as a string") << QByteArray(R"("-9223372036854775808")") << qint64(0);
    QTest::newRow("-1") << QByteArray("-1") << qint64(0);
    QTest::newRow("1e300 as a string is not an integer") << QByteArray(R"("1e300")") << qint64(0);
}

void TestTokenResponse::numbersFromOutsideAreClamped()
{
    QFETCH(QByteArray, number);
    QFETCH(qint64, expected);
    const QByteArray body = R"({"access_token":"at","expires_in":)" + number + R"(,"ext_expires_in":)" +
                            number + R"(,"refresh_in":)" + number + "}";
    const auto parsed = parseTokenResponse(raw(200, body), kContext);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value().expiresIn, expected);
    QCOMPARE(parsed.value().extExpiresIn, expected);
    QCOMPARE(parsed.value().refreshIn.value_or(0), expected);
    QVERIFY(!parsed.value().expiresOn);
}

void TestTokenResponse::absoluteExpiryIsClamped_data()
{
    QTest::addColumn<QByteArray>("number");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("2025") << QByteArray("1735689600") << qint64(1735689600);
    QTest::newRow("9999-12-31T23:59:59Z") << QByteArray("253402300799") << limits::MaxEpochSeconds;
    QTest::newRow("a second later") << QByteArray("253402300800") << limits::MaxEpochSeconds;
    QTest::newRow("1e300") << QByteArray("1e300") << limits::MaxEpochSeconds;
    QTest::newRow("2^63-1 as a string") << QByteArray(R"("9223372036854775807")") << limits::MaxEpochSeconds;
    QTest::newRow("before 1970") << QByteArray("-1") << qint64(0);
    QTest::newRow("-1e300") << QByteArray("-1e300") << qint64(0);
}

void TestTokenResponse::absoluteExpiryIsClamped()
{
    QFETCH(QByteArray, number);
    QFETCH(qint64, expected);
    const auto parsed =
        parseTokenResponse(raw(200, R"({"access_token":"at","expires_on":)" + number + "}"), kContext);
    QVERIFY(parsed.ok());
    QVERIFY(parsed.value().expiresOn);
    QCOMPARE(*parsed.value().expiresOn, expected);
}

void TestTokenResponse::deviceCodeAnswer()
{
    const auto parsed = parseDeviceCodeResponse(
        raw(200,
            R"({"user_code":"ABCD-EFGH","device_code":"dc","verification_uri":"https://microsoft.com/devicelogin",)"
            R"("expires_in":900,"interval":5,"message":"To sign in..."})"),
        kContext);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value().userCode, QStringLiteral("ABCD-EFGH"));
    QCOMPARE(parsed.value().deviceCode, QStringLiteral("dc"));
    QCOMPARE(parsed.value().verificationUri, QStringLiteral("https://microsoft.com/devicelogin"));
    QCOMPARE(parsed.value().expiresIn, qint64(900));
    QCOMPARE(parsed.value().interval, qint64(5));

    // Entra's v1 endpoint says verification_url; RFC 8628's defaults apply when numbers are missing.
    const auto v1 = parseDeviceCodeResponse(
        raw(200, R"({"user_code":"u","device_code":"d","verification_url":"https://v1.example"})"), kContext);
    QVERIFY(v1.ok());
    QCOMPARE(v1.value().verificationUri, QStringLiteral("https://v1.example"));
    QCOMPARE(v1.value().expiresIn, qint64(1800));
    QCOMPARE(v1.value().interval, qint64(5));
}

void TestTokenResponse::deviceCodeNumbersAreClamped_data()
{
    QTest::addColumn<QByteArray>("expiresIn"); // JSON text, empty: left out
    QTest::addColumn<QByteArray>("interval");
    QTest::addColumn<qint64>("expectedExpiresIn");
    QTest::addColumn<qint64>("expectedInterval");
    constexpr qint64 day = limits::MaxDeviceCodeLifetime;
    constexpr qint64 minute = limits::MaxPollInterval;

    QTest::newRow("entra") << QByteArray("900") << QByteArray("5") << qint64(900) << qint64(5);
    QTest::newRow("strings") << QByteArray(R"("900")") << QByteArray(R"("7")") << qint64(900) << qint64(7);
    QTest::newRow("interval 2^63-1 still polls")
        << QByteArray("900") << QByteArray("9223372036854775807") << qint64(900) << minute;
    QTest::newRow("interval 2^63-1 as a string")
        << QByteArray("900") << QByteArray(R"("9223372036854775807")") << qint64(900) << minute;
    QTest::newRow("interval 1e300") << QByteArray("900") << QByteArray("1e300") << qint64(900) << minute;
    QTest::newRow("interval 61 s") << QByteArray("900") << QByteArray("61") << qint64(900) << minute;
    QTest::newRow("interval 60 s") << QByteArray("900") << QByteArray("60") << qint64(900) << qint64(60);
    QTest::newRow("interval 0 would hammer")
        << QByteArray("900") << QByteArray("0") << qint64(900) << qint64(1);
    QTest::newRow("interval -2^63") << QByteArray("900") << QByteArray(R"("-9223372036854775808")")
                                    << qint64(900) << qint64(1);
    QTest::newRow("interval -1e300") << QByteArray("900") << QByteArray("-1e300") << qint64(900) << qint64(1);
    QTest::newRow("interval garbage")
        << QByteArray("900") << QByteArray(R"("often")") << qint64(900) << qint64(5);
    QTest::newRow("expires_in 2^63-1")
        << QByteArray("9223372036854775807") << QByteArray("5") << day << qint64(5);
    QTest::newRow("expires_in 1e300") << QByteArray("1e300") << QByteArray("5") << day << qint64(5);
    QTest::newRow("expires_in -1e300") << QByteArray("-1e300") << QByteArray("5") << qint64(0) << qint64(5);
    QTest::newRow("expires_in missing") << QByteArray() << QByteArray() << qint64(1800) << qint64(5);
}

void TestTokenResponse::deviceCodeNumbersAreClamped()
{
    QFETCH(QByteArray, expiresIn);
    QFETCH(QByteArray, interval);
    QFETCH(qint64, expectedExpiresIn);
    QFETCH(qint64, expectedInterval);
    QByteArray body = R"({"user_code":"u","device_code":"d","verification_uri":"https://v.example")";
    if (!expiresIn.isEmpty())
        body += R"(,"expires_in":)" + expiresIn;
    if (!interval.isEmpty())
        body += R"(,"interval":)" + interval;
    body += '}';
    const auto parsed = parseDeviceCodeResponse(raw(200, body), kContext);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value().expiresIn, expectedExpiresIn);
    QCOMPARE(parsed.value().interval, expectedInterval);
}

void TestTokenResponse::deviceCodeAnswerIncomplete_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("no user code") << 200
                                  << QByteArray(R"({"device_code":"d","verification_uri":"https://v"})");
    QTest::newRow("no device code") << 200
                                    << QByteArray(R"({"user_code":"u","verification_uri":"https://v"})");
    QTest::newRow("no verification uri") << 200 << QByteArray(R"({"user_code":"u","device_code":"d"})");
    QTest::newRow("not JSON") << 200 << QByteArray("<html>");
    QTest::newRow("an error") << 400
                              << QByteArray(
                                     R"({"error":"invalid_client","error_description":"AADSTS7000218: no"})");
}

void TestTokenResponse::deviceCodeAnswerIncomplete()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const auto parsed = parseDeviceCodeResponse(raw(status, body), kContext);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().kind, ErrorKind::ClientAuthentication);
    QVERIFY(parsed.error().message.startsWith(kContext));
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
