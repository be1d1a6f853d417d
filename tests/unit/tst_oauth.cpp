// PKCE, random strings, base64url, JWT and client_info decoding, scope handling and the claims merge
// of oauth.h.

#include "oauth.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace azid;
using namespace azid::detail;

namespace {

const QLatin1StringView kUnreserved("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");
const QLatin1StringView kLetters("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

bool onlyFrom(const QString &text, QLatin1StringView alphabet)
{
    for (QChar c : text) {
        if (c.unicode() > 0x7f || !alphabet.contains(QLatin1Char(static_cast<char>(c.unicode()))))
            return false;
    }
    return true;
}

QJsonObject parseObject(const QString &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
    return doc.object();
}

} // namespace

class TestOAuth : public QObject
{
    Q_OBJECT

private slots:
    void pkceChallengeMatchesRfc7636AppendixB();
    void pkceChallengeIsBase64UrlWithoutPadding();
    void generatedPkceIsWellFormed();
    void generatedPkceDiffersEachTime();
    void generatedVerifiersUseTheWholeUnreservedSet();
    void randomLetters_data();
    void randomLetters();
    void randomLettersUseEveryLetterAndDiffer();
    void sha256Hex_data();
    void sha256Hex();

    void base64UrlRoundTrip_data();
    void base64UrlRoundTrip();
    void base64UrlDecodeRejectsInvalidInput_data();
    void base64UrlDecodeRejectsInvalidInput();

    void decodeJwt_data();
    void decodeJwt();
    void decodeJwtHeader();

    void decodeClientInfo_data();
    void decodeClientInfo();

    void decorateScopes_data();
    void decorateScopes();
    void validateScopes_data();
    void validateScopes();

    void mergeClaimsWithCapabilities_data();
    void mergeClaimsWithCapabilities();
    void mergeClaimsWithoutCapabilitiesIsUnchanged_data();
    void mergeClaimsWithoutCapabilitiesIsUnchanged();

    void jsonInteger_data();
    void jsonInteger();
};

void TestOAuth::pkceChallengeMatchesRfc7636AppendixB()
{
    // RFC 7636, Appendix B: the worked S256 example.
    QCOMPARE(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
             QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
}

void TestOAuth::pkceChallengeIsBase64UrlWithoutPadding()
{
    // SHA-256 is 32 bytes: 43 base64 characters, with base64url's '-' and '_' instead of '+' and '/'.
    // 200 digests are certain to need both of them somewhere.
    bool sawMinus = false;
    bool sawUnderscore = false;
    for (int i = 0; i < 200; ++i) {
        const QByteArray verifier = "verifier-" + QByteArray::number(i);
        const QString challenge = pkceChallenge(verifier);
        QCOMPARE(challenge.size(), 43);
        QVERIFY2(!challenge.contains(QLatin1Char('=')) && !challenge.contains(QLatin1Char('+')) &&
                     !challenge.contains(QLatin1Char('/')),
                 qPrintable(challenge));
        sawMinus = sawMinus || challenge.contains(QLatin1Char('-'));
        sawUnderscore = sawUnderscore || challenge.contains(QLatin1Char('_'));
        const auto digest = base64UrlDecode(challenge.toLatin1());
        QVERIFY(digest);
        QCOMPARE(*digest, QCryptographicHash::hash(verifier, QCryptographicHash::Sha256));
    }
    QVERIFY(sawMinus);
    QVERIFY(sawUnderscore);
}

void TestOAuth::generatedPkceIsWellFormed()
{
    const Pkce pkce = generatePkce();
    const QString verifier = pkce.verifier.revealString();
    QCOMPARE(verifier.size(), 43);
    QVERIFY2(onlyFrom(verifier, kUnreserved), qPrintable(verifier));
    QCOMPARE(pkce.challenge, pkceChallenge(pkce.verifier.reveal()));
    QCOMPARE(pkce.challenge.size(), 43);
}

void TestOAuth::generatedPkceDiffersEachTime()
{
    const Pkce first = generatePkce();
    const Pkce second = generatePkce();
    QVERIFY(!(first.verifier == second.verifier));
    QVERIFY(first.challenge != second.challenge);

    QSet<QString> verifiers;
    for (int i = 0; i < 100; ++i)
        verifiers.insert(generatePkce().verifier.revealString());
    QCOMPARE(verifiers.size(), 100);
}

void TestOAuth::generatedVerifiersUseTheWholeUnreservedSet()
{
    // 200 verifiers are 8600 characters, about 130 of each of the 66 unreserved ones: a generator
    // that leaves some out (digits, "-._~") shows here. The chance of a miss by bad luck is ~e^-130.
    QSet<QChar> seen;
    for (int i = 0; i < 200; ++i) {
        for (QChar c : generatePkce().verifier.revealString())
            seen.insert(c);
    }
    QCOMPARE(seen.size(), int(kUnreserved.size()));
}

void TestOAuth::randomLetters_data()
{
    QTest::addColumn<int>("length");
    QTest::newRow("empty") << 0;
    QTest::newRow("one") << 1;
    QTest::newRow("state") << 16;
    QTest::newRow("nonce") << 32;
    QTest::newRow("long") << 1000;
}

void TestOAuth::randomLetters()
{
    QFETCH(int, length);
    const QString letters = detail::randomLetters(length);
    QCOMPARE(letters.size(), length);
    QVERIFY2(onlyFrom(letters, kLetters), qPrintable(letters));
}

void TestOAuth::randomLettersUseEveryLetterAndDiffer()
{
    QVERIFY(detail::randomLetters(32) != detail::randomLetters(32));
    QSet<QChar> seen;
    for (QChar c : detail::randomLetters(5200))
        seen.insert(c);
    QCOMPARE(seen.size(), 52);
}

void TestOAuth::sha256Hex_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("hex");
    QTest::newRow("empty") << QString()
                           << QStringLiteral(
                                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    QTest::newRow("abc") << QStringLiteral("abc")
                         << QStringLiteral(
                                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    QTest::newRow("utf-8") << QStringLiteral("\u00e9")
                           << QStringLiteral(
                                  "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    QTest::newRow("sentence") << QStringLiteral("The quick brown fox jumps over the lazy dog")
                              << QStringLiteral(
                                     "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

void TestOAuth::sha256Hex()
{
    QFETCH(QString, text);
    QFETCH(QString, hex);
    QCOMPARE(detail::sha256Hex(text), hex);
}

void TestOAuth::base64UrlRoundTrip_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("nul") << QByteArray(1, '\0') << QByteArray("AA");
    QTest::newRow("one byte") << QByteArray("f") << QByteArray("Zg");
    QTest::newRow("two bytes") << QByteArray("fo") << QByteArray("Zm8");
    QTest::newRow("three bytes") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::newRow("four bytes") << QByteArray("foob") << QByteArray("Zm9vYg");
    QTest::newRow("minus and underscore") << QByteArray("\xfb\xff") << QByteArray("-_8");
    QTest::newRow("high bytes") << QByteArray("\xff\xfe\xfd") << QByteArray("__79");
}

void TestOAuth::base64UrlRoundTrip()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, encoded);
    QCOMPARE(base64UrlEncode(bytes), encoded);
    const auto decoded = base64UrlDecode(encoded);
    QVERIFY(decoded);
    QCOMPARE(*decoded, bytes);
}

void TestOAuth::base64UrlDecodeRejectsInvalidInput_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("standard alphabet") << QByteArray("a+b/");
    QTest::newRow("punctuation") << QByteArray("!!!!");
    QTest::newRow("space inside") << QByteArray("Zm 9v");
}

void TestOAuth::base64UrlDecodeRejectsInvalidInput()
{
    QFETCH(QByteArray, text);
    QVERIFY(!base64UrlDecode(text));
}

void TestOAuth::decodeJwt_data()
{
    QTest::addColumn<QByteArray>("jwt");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("subject");

    const QByteArray header = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0";
    // {"aud":"client","iss":"https://login.microsoftonline.com/tid/v2.0","name":"Jérôme","oid":"oid-1",
    //  "preferred_username":"jerome@contoso.example","sub":"sub-1","tid":"tid","ver":"2.0"}
    const QByteArray payload = "eyJhdWQiOiJjbGllbnQiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vd"
                               "GlkL3YyLjAiLCJuYW1lIjoiSlx1MD"
                               "BlOXJcdTAwZjRtZSIsIm9pZCI6Im9pZC0xIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiamVyb21lQGN"
                               "vbnRvc28uZXhhbXBsZSIsInN1YiI6"
                               "InN1Yi0xIiwidGlkIjoidGlkIiwidmVyIjoiMi4wIn0";
    QTest::newRow("valid") << header + '.' + payload + ".c2lnbmF0dXJl" << true << QStringLiteral("sub-1");
    QTest::newRow("valid, empty signature")
        << header + '.' + payload + '.' << true << QStringLiteral("sub-1");
    QTest::newRow("two parts") << header + '.' + payload << false << QString();
    QTest::newRow("four parts") << header + '.' + payload + ".sig.extra" << false << QString();
    QTest::newRow("one part") << payload << false << QString();
    QTest::newRow("empty") << QByteArray() << false << QString();
    QTest::newRow("bad base64") << header + ".!!not*base64!!.sig" << false << QString();
    QTest::newRow("payload is an array") << header + ".WyJhIl0.sig" << false << QString();
    QTest::newRow("payload is a string") << header + ".InN0ciI.sig" << false << QString();
    QTest::newRow("payload is not JSON") << header + ".bm90IGpzb24.sig" << false << QString();
    QTest::newRow("payload is truncated JSON") << header + ".eyJhIjo.sig" << false << QString();
}

void TestOAuth::decodeJwt()
{
    QFETCH(QByteArray, jwt);
    QFETCH(bool, valid);
    QFETCH(QString, subject);
    const auto payload = decodeJwtPayload(jwt);
    QCOMPARE(bool(payload), valid);
    if (valid) {
        QCOMPARE(payload->value(QStringLiteral("sub")).toString(), subject);
        QCOMPARE(payload->value(QStringLiteral("name")).toString(), QStringLiteral("J\u00e9r\u00f4me"));
        QCOMPARE(payload->value(QStringLiteral("preferred_username")).toString(),
                 QStringLiteral("jerome@contoso.example"));
    }
}

void TestOAuth::decodeJwtHeader()
{
    const QByteArray jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.sig";
    const auto header = detail::decodeJwtHeader(jwt);
    QVERIFY(header);
    QCOMPARE(header->value(QStringLiteral("alg")).toString(), QStringLiteral("RS256"));
    QCOMPARE(header->value(QStringLiteral("kid")).toString(), QStringLiteral("k1"));
    QVERIFY(!header->contains(QStringLiteral("sub")));
    QVERIFY(!detail::decodeJwtHeader("WyJhIl0.eyJzdWIiOiJ4In0.sig"));
    QVERIFY(!detail::decodeJwtHeader("eyJzdWIiOiJ4In0.sig"));
}

void TestOAuth::decodeClientInfo_data()
{
    QTest::addColumn<QByteArray>("clientInfo");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("uid");
    QTest::addColumn<QString>("utid");

    const QByteArray padded =
        "eyJ1aWQiOiIwMDAwMDAwMC0wMDAwLTAwMDAtNjZmMy0zMzMyZWNhN2VhODEiLCJ1dGlkIjoiOTE4ODA0MGQtNmM2"
        "Ny00YzViLWIxMTItMzZhMzA0YjY2ZGFkIn0=";
    const QString uid = QStringLiteral("00000000-0000-0000-66f3-3332eca7ea81");
    const QString utid = QStringLiteral("9188040d-6c67-4c5b-b112-36a304b66dad");
    QTest::newRow("Entra, no padding") << padded.chopped(1) << true << uid << utid;
    QTest::newRow("with padding") << padded << true << uid << utid;
    QTest::newRow("length multiple of 3") << QByteArray("eyJ1aWQiOiJ1MSIsInV0aWQiOiJ0MSJ9") << true
                                          << QStringLiteral("u1") << QStringLiteral("t1");
    QTest::newRow("missing uid") << QByteArray("eyJ1dGlkIjoidCJ9") << false << QString() << QString();
    QTest::newRow("missing utid") << QByteArray("eyJ1aWQiOiJ1In0") << false << QString() << QString();
    QTest::newRow("empty uid") << QByteArray("eyJ1aWQiOiIiLCJ1dGlkIjoidCJ9") << false << QString()
                               << QString();
    QTest::newRow("uid not a string")
        << QByteArray("eyJ1aWQiOjEsInV0aWQiOiJ0In0") << false << QString() << QString();
    QTest::newRow("array") << QByteArray("WzEsMl0") << false << QString() << QString();
    QTest::newRow("not JSON") << QByteArray("bm90IGpzb24") << false << QString() << QString();
    QTest::newRow("not base64") << QByteArray("{\"uid\":\"u\",\"utid\":\"t\"}") << false << QString()
                                << QString();
    QTest::newRow("empty") << QByteArray() << false << QString() << QString();
}

void TestOAuth::decodeClientInfo()
{
    QFETCH(QByteArray, clientInfo);
    QFETCH(bool, valid);
    QFETCH(QString, uid);
    QFETCH(QString, utid);
    const auto info = detail::decodeClientInfo(clientInfo);
    QCOMPARE(bool(info), valid);
    if (valid) {
        QCOMPARE(info->uid, uid);
        QCOMPARE(info->utid, utid);
    }
}

void TestOAuth::decorateScopes_data()
{
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("decorated");
    QTest::newRow("one resource scope")
        << QStringList{QStringLiteral("https://management.azure.com/.default")}
        << QStringLiteral("https://management.azure.com/.default offline_access openid profile");
    QTest::newRow("sorted") << QStringList{QStringLiteral("user.read"), QStringLiteral("mail.read")}
                            << QStringLiteral("mail.read offline_access openid profile user.read");
    QTest::newRow("deduplicated") << QStringList{QStringLiteral("b"), QStringLiteral("a"),
                                                 QStringLiteral("b")}
                                  << QStringLiteral("a b offline_access openid profile");
    QTest::newRow("reserved given too") << QStringList{QStringLiteral("openid"), QStringLiteral("x")}
                                        << QStringLiteral("offline_access openid profile x");
    QTest::newRow("none") << QStringList{} << QStringLiteral("offline_access openid profile");
}

void TestOAuth::decorateScopes()
{
    QFETCH(QStringList, scopes);
    QFETCH(QString, decorated);
    QCOMPARE(detail::decorateScopes(scopes), decorated);
}

void TestOAuth::validateScopes_data()
{
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("problemContains"); // empty: the scopes are fine

    QTest::newRow("arm") << QStringList{QStringLiteral("https://management.azure.com/.default")} << QString();
    QTest::newRow("two") << QStringList{QStringLiteral("User.Read"), QStringLiteral("Mail.Read")}
                         << QString();
    QTest::newRow("empty list") << QStringList{} << QStringLiteral("At least one scope");
    QTest::newRow("empty scope") << QStringList{QString()} << QStringLiteral("is not a scope");
    QTest::newRow("blank scope") << QStringList{QStringLiteral("   ")} << QStringLiteral("is not a scope");
    QTest::newRow("space inside") << QStringList{QStringLiteral("User.Read Mail.Read")}
                                  << QStringLiteral("\"User.Read Mail.Read\" is not a scope");
    QTest::newRow("second has a space")
        << QStringList{QStringLiteral("User.Read"), QStringLiteral("a b")} << QStringLiteral("\"a b\"");
    QTest::newRow("openid") << QStringList{QStringLiteral("openid")}
                            << QStringLiteral("\"openid\" is reserved");
    QTest::newRow("profile") << QStringList{QStringLiteral("x"), QStringLiteral("profile")}
                             << QStringLiteral("\"profile\" is reserved");
    QTest::newRow("offline_access upper case")
        << QStringList{QStringLiteral("OFFLINE_ACCESS")} << QStringLiteral("\"OFFLINE_ACCESS\" is reserved");
}

void TestOAuth::validateScopes()
{
    QFETCH(QStringList, scopes);
    QFETCH(QString, problemContains);
    const QString problem = detail::validateScopes(scopes);
    if (problemContains.isEmpty()) {
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    } else {
        QVERIFY2(problem.contains(problemContains), qPrintable(problem));
    }
}

void TestOAuth::mergeClaimsWithCapabilities_data()
{
    QTest::addColumn<QString>("claims");
    QTest::addColumn<QStringList>("capabilities");
    QTest::addColumn<QString>("expected");

    const QStringList cp1{QStringLiteral("CP1")};
    QTest::newRow("no claims") << QString() << cp1
                               << QStringLiteral(R"({"access_token":{"xms_cc":{"values":["CP1"]}}})");
    QTest::newRow("blank claims") << QStringLiteral("  ") << cp1
                                  << QStringLiteral(R"({"access_token":{"xms_cc":{"values":["CP1"]}}})");
    QTest::newRow("empty object") << QStringLiteral("{}") << cp1
                                  << QStringLiteral(R"({"access_token":{"xms_cc":{"values":["CP1"]}}})");
    QTest::newRow("challenge kept")
        << QStringLiteral(R"({"access_token":{"nbf":{"essential":true,"value":"1604106651"}}})") << cp1
        << QStringLiteral(
               R"({"access_token":{"nbf":{"essential":true,"value":"1604106651"},"xms_cc":{"values":["CP1"]}}})");
    QTest::newRow("other sections kept")
        << QStringLiteral(R"({"id_token":{"auth_time":{"essential":true}}})") << cp1
        << QStringLiteral(
               R"({"access_token":{"xms_cc":{"values":["CP1"]}},"id_token":{"auth_time":{"essential":true}}})");
    QTest::newRow("xms_cc overwritten")
        << QStringLiteral(R"({"access_token":{"xms_cc":{"values":["CP2","CP3"]},"acrs":{"essential":true}}})")
        << cp1
        << QStringLiteral(R"({"access_token":{"acrs":{"essential":true},"xms_cc":{"values":["CP1"]}}})");
    QTest::newRow("several capabilities")
        << QString() << QStringList{QStringLiteral("CP1"), QStringLiteral("llt")}
        << QStringLiteral(R"({"access_token":{"xms_cc":{"values":["CP1","llt"]}}})");
}

void TestOAuth::mergeClaimsWithCapabilities()
{
    QFETCH(QString, claims);
    QFETCH(QStringList, capabilities);
    QFETCH(QString, expected);
    const QString merged = detail::mergeClaimsWithCapabilities(claims, capabilities);
    QVERIFY2(QJsonDocument::fromJson(merged.toUtf8()).isObject(), qPrintable(merged));
    // Compact JSON is sent; member order is not significant.
    QCOMPARE(parseObject(merged), parseObject(expected));
}

void TestOAuth::mergeClaimsWithoutCapabilitiesIsUnchanged_data()
{
    QTest::addColumn<QString>("claims");
    QTest::newRow("empty") << QString();
    QTest::newRow("challenge") << QStringLiteral(
        R"({"access_token": {"nbf": {"essential": true, "value": "1"}}})");
    QTest::newRow("not JSON") << QStringLiteral("not json at all");
}

void TestOAuth::mergeClaimsWithoutCapabilitiesIsUnchanged()
{
    QFETCH(QString, claims);
    QCOMPARE(detail::mergeClaimsWithCapabilities(claims, {}), claims);
}

void TestOAuth::jsonInteger_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("number");
    QTest::newRow("number") << QJsonValue(3599) << true << qint64(3599);
    QTest::newRow("string") << QJsonValue(QStringLiteral("3599")) << true << qint64(3599);
    QTest::newRow("large") << QJsonValue(QStringLiteral("4102444800")) << true << qint64(4102444800);
    QTest::newRow("zero") << QJsonValue(0) << true << qint64(0);
    QTest::newRow("not a number") << QJsonValue(QStringLiteral("soon")) << false << qint64(0);
    QTest::newRow("empty string") << QJsonValue(QString()) << false << qint64(0);
    QTest::newRow("bool") << QJsonValue(true) << false << qint64(0);
    QTest::newRow("null") << QJsonValue() << false << qint64(0);
    QTest::newRow("object") << QJsonValue(QJsonObject()) << false << qint64(0);
}

void TestOAuth::jsonInteger()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, valid);
    QFETCH(qint64, number);
    const auto parsed = detail::jsonInteger(value);
    QCOMPARE(bool(parsed), valid);
    if (valid)
        QCOMPARE(*parsed, number);
}

QTEST_GUILESS_MAIN(TestOAuth)
#include "tst_oauth.moc"
