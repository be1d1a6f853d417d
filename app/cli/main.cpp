// azid-cli: tokens for scripts, from the accounts signed in with Azid. The contract (options,
// output, exit codes) is in the design and in `azid-cli --help`.
#include "arguments.h"
#include "commands.h"
#include "devtools.h"
#include "output.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLoggingCategory>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("azid"));
    QCoreApplication::setApplicationVersion(QStringLiteral(AZID_VERSION));

    // One program, three names: azid-cli, the az shim and git's credential helper.
    QStringList arguments = app.arguments();
    const QString program = QFileInfo(arguments.constFirst()).fileName();
    if (program == QLatin1String(azid::cli::AzShimProgram)) {
        QLoggingCategory::setFilterRules(QStringLiteral("azid.*.debug=false\nazid.*.info=false"));
        return azid::cli::azShim(arguments);
    }
    if (program == QLatin1String(azid::cli::GitCredentialProgram))
        arguments.insert(1, QStringLiteral("git-credential"));
    const auto parsed = azid::cli::parseArguments(arguments);
    if (parsed.help) {
        azid::cli::printResult(azid::cli::usage().toUtf8());
        return azid::cli::ExitSuccess;
    }
    if (parsed.version) {
        azid::cli::printResult(QByteArrayLiteral("azid-cli " AZID_VERSION));
        return azid::cli::ExitSuccess;
    }
    if (!parsed.arguments) {
        // The rest of the line may not parse; --output json still asks for a JSON error.
        const QStringList args = app.arguments();
        const qsizetype at = args.indexOf(QStringLiteral("--output"));
        const bool json = args.contains(QStringLiteral("--output=json")) ||
                          (at >= 0 && args.value(at + 1) == QStringLiteral("json"));
        azid::cli::printUsageError(parsed.error,
                                   json ? azid::cli::OutputFormat::Json : azid::cli::OutputFormat::Raw);
        return azid::cli::ExitUsage;
    }
    if (parsed.arguments->verbose) {
        QLoggingCategory::setFilterRules(QStringLiteral("azid.*.debug=true"));
        qSetMessagePattern(QStringLiteral("azid-cli: %{category}: %{message}"));
    } else {
        QLoggingCategory::setFilterRules(QStringLiteral("azid.*.debug=false\nazid.*.info=false"));
    }
    return azid::cli::run(*parsed.arguments);
}
