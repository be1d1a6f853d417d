// The developer-tool identities the tray app shows, with stand-ins for az, azd and pwsh: bash scripts
// in a temporary directory that is the tools' PATH, answering as the real tools do when signed in
// (a token whose claims name the user) or not signed in; a tool missing from PATH is not installed.
#include "azid/model/developertoolidentities.h"

#include "testwait.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using azid::test::await;
using Tool = DeveloperToolIdentity::Tool;
using State = DeveloperToolIdentity::State;

namespace {
// Why a result failed, for a failing check's message (empty when it did not).
template <typename T> QString why(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().toString();
}

const QString Tenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");

QString base64Url(const QJsonObject &object)
{
    return QString::fromLatin1(QJsonDocument(object)
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// An unsigned JWT as the tools hand out (signed by Entra), naming `user` in the test tenant.
QString tokenFor(const QString &user)
{
    return base64Url({{QStringLiteral("alg"), QStringLiteral("RS256")},
                      {QStringLiteral("typ"), QStringLiteral("JWT")}}) +
           QLatin1Char('.') + base64Url({{QStringLiteral("upn"), user}, {QStringLiteral("tid"), Tenant}}) +
           QStringLiteral(".c2lnbmF0dXJl");
}
} // namespace

class TestDeveloperToolIdentities : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_bin;

    void writeTool(const QString &name, const QString &body)
    {
        QFile tool(m_bin.filePath(name));
        QVERIFY(tool.open(QIODevice::WriteOnly | QIODevice::Truncate));
        tool.write(QStringLiteral("#!/bin/bash\n%1\n").arg(body).toUtf8());
        tool.close();
        QVERIFY(tool.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }
    DeveloperToolOptions withPath(const QString &path) const
    {
        DeveloperToolOptions options;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PATH"), path);
        options.environment = environment;
        return options;
    }

private slots:
    void init()
    {
        QVERIFY(m_bin.isValid());
        for (const QString &name : QDir(m_bin.path()).entryList(QDir::Files))
            QVERIFY(QFile::remove(m_bin.filePath(name)));
    }

    void signedInNotSignedInNotInstalled()
    {
        writeTool(QStringLiteral("az"),
                  QStringLiteral("echo '{\"accessToken\": \"%1\", \"expires_on\": 1893456000}'")
                      .arg(tokenFor(QStringLiteral("dev@contoso.test"))));
        writeTool(QStringLiteral("azd"),
                  QStringLiteral("echo 'ERROR: not logged in, run `azd auth login` to login' >&2\n"
                                 "exit 1"));
        // The standard tools (bash, base64) stay reachable after the stand-ins.
        DeveloperToolIdentities identities(withPath(m_bin.path() + QStringLiteral(":/usr/bin:/bin")));
        const QList<DeveloperToolIdentity> found = await(identities.detect());
        QCOMPARE(found.size(), 3);

        QCOMPARE(found.at(0).tool, Tool::AzureCli);
        QCOMPARE(found.at(0).state, State::SignedIn);
        QCOMPARE(found.at(0).account, QStringLiteral("dev@contoso.test"));
        QCOMPARE(found.at(0).tenantId, Tenant);

        QCOMPARE(found.at(1).tool, Tool::AzureDeveloperCli);
        QCOMPARE(found.at(1).state, State::NotSignedIn);
        QVERIFY2(found.at(1).detail.contains(QStringLiteral("azd auth login")),
                 qPrintable(found.at(1).detail));
        QVERIFY(found.at(1).account.isEmpty());

        QCOMPARE(found.at(2).tool, Tool::AzurePowerShell);
        QCOMPARE(found.at(2).state, State::NotInstalled);
        QVERIFY2(found.at(2).detail.contains(QStringLiteral("not installed")),
                 qPrintable(found.at(2).detail));
    }

    // Tokens for a scope the person chooses, from each tool that is signed in.
    void tokensFromEachTool()
    {
        const QString azdToken = tokenFor(QStringLiteral("azd@contoso.test"));
        const QString pwshToken = tokenFor(QStringLiteral("pwsh@contoso.test"));
        writeTool(QStringLiteral("azd"),
                  QStringLiteral("echo '{\"token\": \"%1\", \"expiresOn\": \"2030-01-01T00:00:00Z\"}'")
                      .arg(azdToken));
        writeTool(QStringLiteral("pwsh"),
                  QStringLiteral("printf '\\nazsdk%%%s%%%s\\n\\n' '%1' 1893456000").arg(pwshToken));
        DeveloperToolIdentities identities(withPath(m_bin.path() + QStringLiteral(":/usr/bin:/bin")));
        const QString vault = QStringLiteral("https://vault.azure.net/.default");
        const auto fromAzd = await(identities.token(Tool::AzureDeveloperCli, vault));
        QVERIFY2(fromAzd.ok(), qPrintable(why(fromAzd)));
        QCOMPARE(fromAzd.value().token.revealString(), azdToken);
        const auto fromPwsh = await(identities.token(Tool::AzurePowerShell, vault));
        QVERIFY2(fromPwsh.ok(), qPrintable(why(fromPwsh)));
        QCOMPARE(fromPwsh.value().token.revealString(), pwshToken);
        const DeveloperToolIdentity shown = await(identities.detect(Tool::AzurePowerShell));
        QCOMPARE(shown.state, State::SignedIn);
        QCOMPARE(shown.account, QStringLiteral("pwsh@contoso.test"));
        // az is not on this PATH.
        const auto fromAz = await(identities.token(Tool::AzureCli, vault));
        QVERIFY(!fromAz.ok());
    }

    void noneInstalled()
    {
        DeveloperToolIdentities identities(withPath(m_bin.path()));
        const QList<DeveloperToolIdentity> found = await(identities.detect());
        QCOMPARE(found.size(), 3);
        for (const DeveloperToolIdentity &identity : found)
            QCOMPARE(identity.state, State::NotInstalled);
    }
};

QTEST_GUILESS_MAIN(TestDeveloperToolIdentities)
#include "tst_developertoolidentities.moc"
