// The token inspector decodes a real token from azid-sandbox offline: header, claims with their
// meaning, times as local times with a live countdown; and reads claims challenges. What a token says
// is shown as plain text (issue 14); its fields have names and Tab leaves them (issue 15).
#include "azid/model/jwt.h"
#include "azid/ui/claimsmodel.h"
#include "azid/ui/tokeninspector.h"
#include "azid/usernamepasswordcredential.h"
#include "fakeclock.h"
#include "sandbox.h"
#include "testwait.h"

#include <QAbstractItemModelTester>
#include <QAccessible>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTextDocument>
#include <QtTest>

#include <limits>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");

QString base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}
// The error of a result, for test messages (QVERIFY2 evaluates its message even on success).
template <typename T> QByteArray why(const azid::Result<T> &result)
{
    return result.ok() ? QByteArray() : result.error().toString().toUtf8();
}
} // namespace

class TestTokenInspector : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    QString m_token; // alice's ARM token from the sandbox
    test::FakeClock m_clock;

    QString value(TokenInspector &inspector, const QString &claim, int column = ClaimsModel::ValueColumn)
    {
        ClaimsModel *model = inspector.claimsModel();
        const int row = model->rowOfClaim(claim);
        return row < 0 ? QString() : model->index(row, column).data().toString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        UsernamePasswordCredentialOptions options;
        options.authority = m_sandbox.authority();
        options.tenantId = Contoso;
        options.disableInstanceDiscovery = true;
        options.http.caBundleFile = m_sandbox.caFile();
        options.username = QStringLiteral("alice@contoso.test");
        options.password = Secret::fromString(QStringLiteral("alice-password-1"));
        UsernamePasswordCredential credential(options);
        const TokenResult result = test::await(credential.getTokenInfo({{Arm}, {}, {}, false}));
        QVERIFY2(result.ok(), why(result).constData());
        m_token = result.value().token.revealString();
        m_clock.set(QDateTime::currentSecsSinceEpoch());
    }

    void decodesASandboxToken()
    {
        TokenInspector inspector;
        inspector.setClock(&m_clock);
        QAbstractItemModelTester tester(inspector.claimsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        inspector.setToken(m_token);
        const DecodedToken &decoded = inspector.decoded();
        QVERIFY2(decoded.isJwt, qPrintable(decoded.error));
        QCOMPARE(decoded.header.value(QStringLiteral("alg")).toString(), QStringLiteral("RS256"));
        QVERIFY(decoded.signatureBytes >= 256);
        QCOMPARE(value(inspector, QStringLiteral("aud")), QStringLiteral("https://management.azure.com"));
        QCOMPARE(value(inspector, QStringLiteral("tid")), Contoso);
        QCOMPARE(value(inspector, QStringLiteral("upn")), QStringLiteral("alice@contoso.test"));
        QCOMPARE(value(inspector, QStringLiteral("oid")),
                 QStringLiteral("26b3a69f-4634-4768-a9eb-1f008766af1d"));
        QCOMPARE(value(inspector, QStringLiteral("scp")), QStringLiteral("user_impersonation"));
        QVERIFY(value(inspector, QStringLiteral("iss")).contains(m_sandbox.environment()));
        // The claims people look for come first, each with its meaning.
        QCOMPARE(inspector.claimsModel()->claimAt(0), QStringLiteral("aud"));
        for (const QString &claim : {QStringLiteral("aud"), QStringLiteral("iss"), QStringLiteral("tid"),
                                     QStringLiteral("oid"), QStringLiteral("upn"), QStringLiteral("scp"),
                                     QStringLiteral("iat"), QStringLiteral("nbf"), QStringLiteral("exp")}) {
            QVERIFY2(!value(inspector, claim, ClaimsModel::MeaningColumn).isEmpty(), qPrintable(claim));
        }
        // Times: local date and time, the epoch value, and how far away.
        const qint64 exp = *decoded.timeClaim(QStringLiteral("exp"));
        const QString expText = value(inspector, QStringLiteral("exp"));
        QVERIFY2(expText.contains(QDateTime::fromSecsSinceEpoch(exp).toLocalTime().toString(
                     QStringLiteral("yyyy-MM-dd HH:mm:ss"))),
                 qPrintable(expText));
        QVERIFY(expText.contains(QString::number(exp)));
        QVERIFY2(expText.contains(QStringLiteral("in 59 min")) || expText.contains(QStringLiteral("in 1 h")),
                 qPrintable(expText));
        QVERIFY(value(inspector, QStringLiteral("iat")).contains(QStringLiteral("ago")) ||
                value(inspector, QStringLiteral("iat")).contains(QStringLiteral("now")));
        QVERIFY2(inspector.statusText().contains(QStringLiteral("https://management.azure.com")),
                 qPrintable(inspector.statusText()));
        QVERIFY(inspector.statusText().contains(QStringLiteral("expires in")));
        QVERIFY(inspector.findChild<QPlainTextEdit *>(QStringLiteral("headerView"))
                    ->toPlainText()
                    .contains(QStringLiteral("RS256")));

        inspector.show();
        inspector.grab().save(QStringLiteral(QT_TESTCASE_BUILDDIR "/azid-inspector.png"));

        // The countdown moves with the clock.
        m_clock.advance(3700);
        QTRY_VERIFY(inspector.findChild<QLabel *>(QStringLiteral("statusLabel"))
                        ->text()
                        .contains(QStringLiteral("expired")));
        QVERIFY(value(inspector, QStringLiteral("exp")).contains(QStringLiteral("ago")));
        m_clock.advance(-3700);
    }

    void acceptsBearerForms_data()
    {
        QTest::addColumn<QString>("prefix");
        QTest::newRow("bare") << QString();
        QTest::newRow("bearer") << QStringLiteral("Bearer ");
        QTest::newRow("header") << QStringLiteral("Authorization: Bearer ");
        QTest::newRow("whitespace") << QStringLiteral("  \n");
    }

    void acceptsBearerForms()
    {
        QFETCH(QString, prefix);
        const DecodedToken decoded = decodeJwt(prefix + m_token + QStringLiteral("\n"));
        QVERIFY(decoded.isJwt);
        QCOMPARE(decoded.claims.value(QStringLiteral("upn")).toString(),
                 QStringLiteral("alice@contoso.test"));
    }

    void explainsWhatItCannotDecode_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QString() << QStringLiteral("Paste");
        QTest::newRow("opaque") << QStringLiteral("0.AAAA-opaque-token")
                                << QStringLiteral("not a JSON Web Token");
        QTest::newRow("jwe") << QStringLiteral("a.b.c.d.e") << QStringLiteral("encrypted");
        QTest::newRow("truncated") << QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4I.!!!")
                                   << QStringLiteral("base64url");
        QTest::newRow("not json") << (base64Url("not json") + QStringLiteral(".") + base64Url("{}") +
                                      QStringLiteral(".c2ln"))
                                  << QStringLiteral("JSON");
    }

    void explainsWhatItCannotDecode()
    {
        QFETCH(QString, token);
        QFETCH(QString, message);
        TokenInspector inspector;
        inspector.setToken(token);
        QVERIFY(!inspector.decoded().isJwt);
        QVERIFY2(inspector.statusText().contains(message), qPrintable(inspector.statusText()));
        QCOMPARE(inspector.claimsModel()->rowCount(), 0);
    }

    void claimsChallenges_data()
    {
        const QByteArray claims = R"({"access_token":{"nbf":{"essential":true,"value":"1700000000"}}})";
        const QString encoded = QString::fromLatin1(claims.toBase64());
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("claims");
        QTest::addColumn<QString>("error");
        QTest::newRow("header") << QStringLiteral(
                                       "WWW-Authenticate: Bearer realm=\"\", "
                                       "authorization_uri=\"https://login.microsoftonline.com/common/oauth2/"
                                       "authorize\", error=\"insufficient_claims\", claims=\"%1\"")
                                       .arg(encoded)
                                << QString::fromUtf8(claims) << QStringLiteral("insufficient_claims");
        QTest::newRow("value")
            << QStringLiteral("Bearer error=\"insufficient_claims\", claims=\"%1\"").arg(encoded)
            << QString::fromUtf8(claims) << QStringLiteral("insufficient_claims");
        QTest::newRow("base64") << encoded << QString::fromUtf8(claims) << QString();
        QTest::newRow("json") << QString::fromUtf8(claims) << QString::fromUtf8(claims) << QString();
    }

    void claimsChallenges()
    {
        QFETCH(QString, text);
        QFETCH(QString, claims);
        QFETCH(QString, error);
        const ClaimsChallenge challenge = parseClaimsChallenge(text);
        QVERIFY2(challenge.problem.isEmpty(), qPrintable(challenge.problem));
        QCOMPARE(challenge.claims, claims);
        QCOMPARE(challenge.error, error);
    }

    void notAClaimsChallenge()
    {
        QVERIFY(!parseClaimsChallenge(QStringLiteral("Bearer realm=\"\", error=\"invalid_token\""))
                     .problem.isEmpty());
        QVERIFY(!parseClaimsChallenge(QStringLiteral("Bearer claims=\"bm90IGpzb24=\"")).problem.isEmpty());
        QVERIFY(!parseClaimsChallenge(QString()).problem.isEmpty());
    }

    void challengeAsksForANewToken()
    {
        const QString claims =
            QStringLiteral("{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c1\"}}}");
        const QString header = QStringLiteral("Bearer error=\"insufficient_claims\", claims=\"%1\"")
                                   .arg(QString::fromLatin1(claims.toUtf8().toBase64()));
        TokenInspector inspector;
        auto *challenge = inspector.findChild<QPlainTextEdit *>(QStringLiteral("challengeEdit"));
        auto *request = inspector.findChild<QPushButton *>(QStringLiteral("requestButton"));

        // A pasted token has no account to ask.
        inspector.setToken(m_token);
        challenge->setPlainText(header);
        QVERIFY(!request->isEnabled());
        QVERIFY(inspector.findChild<QLabel *>(QStringLiteral("challengeResult"))
                    ->text()
                    .contains(QStringLiteral("acrs")));

        inspector.setToken(m_token, QStringLiteral("uid.utid"), {Arm});
        QVERIFY(request->isEnabled());
        QSignalSpy requested(&inspector, &TokenInspector::newTokenRequested);
        QTest::mouseClick(request, Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.first().at(0).toString(), QStringLiteral("uid.utid"));
        QCOMPARE(requested.first().at(1).toStringList(), QStringList{Arm});
        QCOMPARE(requested.first().at(2).toString(), claims);

        challenge->setPlainText(QStringLiteral("Bearer realm=\"\""));
        QVERIFY(!request->isEnabled());
    }

    void hostileClaimsArePlainText()
    {
        const QString hostile = QStringLiteral("<b>x</b><img src=\"file:///etc/passwd\">");
        QJsonObject claims{{QStringLiteral("aud"), hostile},
                           {QStringLiteral("upn"), hostile},
                           {QStringLiteral("name"), hostile}};
        const QString token = base64Url("{\"alg\":\"none\"}") + QLatin1Char('.') +
                              base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact)) +
                              QStringLiteral(".c2ln");
        TokenInspector inspector;
        inspector.setToken(token);
        auto *status = inspector.findChild<QLabel *>(QStringLiteral("statusLabel"));
        QCOMPARE(status->textFormat(), Qt::PlainText);
        QVERIFY2(status->text().contains(QStringLiteral("Token for %1, user %1").arg(hostile)),
                 qPrintable(status->text()));
        ClaimsModel *model = inspector.claimsModel();
        const QModelIndex upn =
            model->index(model->rowOfClaim(QStringLiteral("upn")), ClaimsModel::ValueColumn);
        QCOMPARE(upn.data(Qt::DisplayRole).toString(), hostile);
        // A tooltip is rich text when it looks like it: the claim's markup is escaped.
        const QString tip = upn.data(Qt::ToolTipRole).toString();
        QVERIFY2(!tip.contains(QStringLiteral("<b>")) && !tip.contains(QStringLiteral("<img")),
                 qPrintable(tip));
        QTextDocument rendered;
        rendered.setHtml(tip);
        QCOMPARE(rendered.toPlainText().trimmed(), hostile);

        const QByteArray challengeClaims =
            QStringLiteral("{\"access_token\":{\"x\":\"%1\"}}").arg(QStringLiteral("<b>y</b>")).toUtf8();
        inspector.findChild<QPlainTextEdit *>(QStringLiteral("challengeEdit"))
            ->setPlainText(QString::fromLatin1(challengeClaims.toBase64()));
        auto *result = inspector.findChild<QLabel *>(QStringLiteral("challengeResult"));
        QCOMPARE(result->textFormat(), Qt::PlainText);
        QVERIFY2(result->text().contains(QStringLiteral("<b>y</b>")), qPrintable(result->text()));
    }

    void fieldsHaveNamesAndTabLeavesThem()
    {
        TokenInspector inspector;
        inspector.setToken(m_token);
        inspector.show();
        QApplication::setActiveWindow(&inspector);
        QVERIFY(QTest::qWaitForWindowActive(&inspector));
        auto *token = inspector.findChild<QPlainTextEdit *>(QStringLiteral("tokenEdit"));
        for (QWidget *field : std::initializer_list<QWidget *>{
                 token, inspector.findChild<QTableView *>(QStringLiteral("claimsView")),
                 inspector.findChild<QPlainTextEdit *>(QStringLiteral("headerView")),
                 inspector.findChild<QPlainTextEdit *>(QStringLiteral("challengeEdit"))})
            QVERIFY2(!QAccessible::queryAccessibleInterface(field)->text(QAccessible::Name).isEmpty(),
                     qPrintable(field->objectName()));
        token->setFocus();
        QVERIFY(token->hasFocus());
        QTest::keyClick(token, Qt::Key_Tab);
        QTRY_VERIFY(!token->hasFocus());
        QCOMPARE(token->toPlainText(), m_token); // no tab typed into it
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Backtab);
        QTRY_VERIFY(token->hasFocus());
    }

    void closingForgetsTheToken()
    {
        TokenInspector inspector;
        inspector.setToken(m_token);
        inspector.show();
        inspector.close();
        QVERIFY(inspector.findChild<QPlainTextEdit *>(QStringLiteral("tokenEdit"))->toPlainText().isEmpty());
    }

    void relativeTimes_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("now") << qint64(0) << QStringLiteral("now");
        QTest::newRow("seconds ahead") << qint64(42) << QStringLiteral("in 42 s");
        QTest::newRow("minutes ago") << qint64(-185) << QStringLiteral("3 min 5 s ago");
        QTest::newRow("hours") << qint64(3 * 3600 + 120) << QStringLiteral("in 3 h 2 min");
        QTest::newRow("days") << qint64(-(2 * 86400 + 5 * 3600)) << QStringLiteral("2 d 5 h ago");
    }

    void relativeTimes()
    {
        QFETCH(qint64, seconds);
        QFETCH(QString, text);
        QCOMPARE(relativeTime(seconds), text);
    }

    void relativeTimesOfAnyDifference_data()
    {
        // Beyond MaxClaimTime (9999-12-31T23:59:59Z) either way, differences read as that much:
        // the smallest qint64 cannot be negated.
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("min") << std::numeric_limits<qint64>::min() << QStringLiteral("2932896 d 23 h ago");
        QTest::newRow("max") << std::numeric_limits<qint64>::max() << QStringLiteral("in 2932896 d 23 h");
        QTest::newRow("max claim time") << MaxClaimTime << QStringLiteral("in 2932896 d 23 h");
    }

    void relativeTimesOfAnyDifference()
    {
        QFETCH(qint64, seconds);
        QFETCH(QString, text);
        QCOMPARE(relativeTime(seconds), text);
    }

    void timeClaimsAreClamped_data()
    {
        // A pasted token is outside data: exp 1e300 is no undefined double-to-integer conversion.
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<qint64>("expected"); // -1: not a time
        QTest::newRow("2026") << QJsonValue(1767225600) << qint64(1767225600);
        QTest::newRow("fraction") << QJsonValue(1767225600.75) << qint64(1767225600);
        QTest::newRow("1e300") << QJsonValue(1e300) << MaxClaimTime;
        QTest::newRow("-1e300") << QJsonValue(-1e300) << qint64(0);
        QTest::newRow("2^63") << QJsonValue(9223372036854775808.0) << MaxClaimTime;
        QTest::newRow("a second after 9999") << QJsonValue(253402300800.0) << MaxClaimTime;
        QTest::newRow("before 1970") << QJsonValue(-1) << qint64(0);
        QTest::newRow("a string") << QJsonValue(QStringLiteral("1767225600")) << qint64(-1);
        QTest::newRow("null") << QJsonValue() << qint64(-1);
    }

    void timeClaimsAreClamped()
    {
        QFETCH(QJsonValue, value);
        QFETCH(qint64, expected);
        QCOMPARE(timeClaimSeconds(value).value_or(-1), expected);
        DecodedToken token;
        token.claims.insert(QStringLiteral("exp"), value);
        QCOMPARE(token.timeClaim(QStringLiteral("exp")).value_or(-1), expected);
    }

    void hugeTimesAreShownClamped()
    {
        const QString token =
            base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + QLatin1Char('.') +
            base64Url("{\"aud\":\"api://x\",\"exp\":1e300,\"nbf\":-1e300,\"iat\":9223372036854775807}") +
            QStringLiteral(".c2ln");
        test::FakeClock clock;
        clock.set(1767225600);
        TokenInspector inspector;
        inspector.setClock(&clock);
        inspector.setToken(token);
        const QString exp = value(inspector, QStringLiteral("exp"));
        // The token's own number, next to the latest date a claim can name and how far that is.
        QVERIFY2(exp.contains(QStringLiteral("(%1)").arg(QString::number(1e300, 'g', 17))), qPrintable(exp));
        QVERIFY2(exp.contains(QStringLiteral("in 2912442 d 23 h")), qPrintable(exp));
        const QString nbf = value(inspector, QStringLiteral("nbf"));
        QVERIFY2(nbf.contains(QStringLiteral("(%1)").arg(QString::number(-1e300, 'g', 17))), qPrintable(nbf));
    }
};

QTEST_MAIN(TestTokenInspector)
#include "tst_tokeninspector.moc"
