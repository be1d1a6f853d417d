// The az shim: azid-cli started under the name "az" (a link in a folder of its own, put first on PATH
// by whoever wants it) answers the two commands the Azure SDKs' AzureCliCredential and scripts run,
// `az account get-access-token` and `az account show`, from Azid's accounts, in the Azure CLI's
// output and error shapes.
#include "commands.h"
#include "devtools.h"
#include "output.h"
#include "profile.h"
#include "storage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace azid::cli {
namespace {

// What the Azure CLI asks for when no resource is named: Azure Resource Manager's.
const QString DefaultResource = QStringLiteral("https://management.core.windows.net/");

struct AzRequest
{
    QString command; // get-access-token, show
    QStringList scopes;
    QString tenant;
    QString query;                           // --query: one top-level key of the output
    QString output = QStringLiteral("json"); // json, jsonc, tsv, none
    QString error;                           // a usage error
};

// The Azure CLI's rule: a resource's scope is the resource followed by "/.default".
QString scopeOfResource(const QString &resource)
{
    return resource +
           (resource.endsWith(QLatin1Char('/')) ? QStringLiteral(".default") : QStringLiteral("/.default"));
}

// Reads the options after `account get-access-token` or `account show`; the ones that change
// nothing here (--subscription: an Azid account is tenant-level; logging switches) are accepted.
void readAzOptions(const QStringList &args, AzRequest &request)
{
    const QStringList ignoredFlags{QStringLiteral("--only-show-errors"), QStringLiteral("--debug"),
                                   QStringLiteral("--verbose")};
    for (qsizetype i = 0; i < args.size() && request.error.isEmpty(); ++i) {
        const QString &arg = args.at(i);
        const bool hasValue = i + 1 < args.size();
        if (ignoredFlags.contains(arg))
            continue;
        if (!hasValue) {
            request.error = QStringLiteral("unrecognized arguments: %1").arg(arg);
        } else if (arg == QStringLiteral("--resource")) {
            request.scopes.append(scopeOfResource(args.at(++i)));
        } else if (arg == QStringLiteral("--scope")) {
            while (i + 1 < args.size() && !args.at(i + 1).startsWith(QLatin1Char('-')))
                request.scopes.append(args.at(++i));
        } else if (arg == QStringLiteral("--tenant") || arg == QStringLiteral("-t")) {
            request.tenant = args.at(++i);
        } else if (arg == QStringLiteral("--subscription") || arg == QStringLiteral("-s")) {
            ++i;
        } else if (arg == QStringLiteral("--output") || arg == QStringLiteral("-o")) {
            request.output = args.at(++i);
        } else if (arg == QStringLiteral("--query")) {
            request.query = args.at(++i);
        } else {
            request.error = QStringLiteral("unrecognized arguments: %1").arg(arg);
        }
    }
    const QStringList outputs{QStringLiteral("json"), QStringLiteral("jsonc"), QStringLiteral("tsv"),
                              QStringLiteral("none")};
    if (request.error.isEmpty() && !outputs.contains(request.output))
        request.error = QStringLiteral("argument --output/-o: invalid choice: '%1' (Azid's az shim prints "
                                       "json, jsonc, tsv or none)")
                            .arg(request.output);
}

AzRequest readAzCommandLine(const QStringList &argv)
{
    AzRequest request;
    const QStringList commands{QStringLiteral("get-access-token"), QStringLiteral("show")};
    if (argv.value(1) != QStringLiteral("account") || !commands.contains(argv.value(2))) {
        request.error = QStringLiteral("Azid's az shim answers only 'az account get-access-token' and 'az "
                                       "account show'; install the Azure CLI for the rest.");
        return request;
    }
    request.command = argv.at(2);
    readAzOptions(argv.mid(3), request);
    if (request.scopes.isEmpty())
        request.scopes.append(scopeOfResource(DefaultResource));
    return request;
}

// The error as the Azure CLI prints it. Where the Azure CLI would say it has no usable sign-in, the
// words the SDKs look for ("az login") are there, so that they report the credential unavailable
// and a chain goes on to its next credential, as with the Azure CLI itself.
int azFailure(const AuthError &error)
{
    QString text = QStringLiteral("ERROR: ") + terminalSafe(error.toString());
    if (error.kind == ErrorKind::CredentialUnavailable || error.kind == ErrorKind::AuthenticationRequired)
        text += QStringLiteral("\nPlease run 'az login' to setup account: with Azid, sign in with the "
                               "tray app or azid-cli login.");
    printNote(text);
    return 1;
}

// --query KEY and --output: the Azure CLI's presentation of one object.
void printAz(const QByteArray &json, const AzRequest &request)
{
    if (request.output == QStringLiteral("none"))
        return;
    if (request.query.isEmpty()) {
        printResult(json);
        return;
    }
    const QJsonValue value = QJsonDocument::fromJson(json).object().value(request.query);
    if (request.output == QStringLiteral("tsv"))
        printResult(value.isString() ? value.toString().toUtf8() : QByteArray::number(value.toInteger()));
    else
        printResult(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
}

} // namespace

int azShim(const QStringList &argv)
{
    const AzRequest request = readAzCommandLine(argv);
    if (!request.error.isEmpty()) {
        printNote(QStringLiteral("ERROR: ") + request.error);
        return ExitUsage;
    }
    // The rest as `azid-cli token` reads it: the profile and storage from the environment
    // (AZID_PROFILE, AZID_MEMORY_ONLY), the account from AZID_ACCOUNT (else the default one).
    QStringList tokenLine{QStringLiteral("azid-cli"), QStringLiteral("token")};
    for (const QString &scope : request.scopes)
        tokenLine << QStringLiteral("--scope") << scope;
    const ParseResult parsed = parseArguments(tokenLine);
    if (!parsed.arguments) {
        printNote(QStringLiteral("ERROR: ") + parsed.error);
        return ExitUsage;
    }
    Arguments a = *parsed.arguments;
    a.tenant = request.tenant;
    a.account = qEnvironmentVariable("AZID_ACCOUNT");
    Profile profile(a.profile, storageOptions(a));
    if (request.command == QStringLiteral("show")) {
        const auto account = profile.select(a.account);
        if (!account.ok())
            return azFailure(account.error());
        printAz(formatAzAccount(account.value().record), request);
        return ExitSuccess;
    }
    const TokenResult token = accountToken(a, profile);
    if (!token.ok())
        return azFailure(token.error());
    printAz(formatToken(token.value(), OutputFormat::Az), request);
    return ExitSuccess;
}

} // namespace azid::cli
