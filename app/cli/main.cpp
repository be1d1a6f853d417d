#include "arguments.h"
#include "output.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const auto parsed = azid::cli::parseArguments(app.arguments());
    if (parsed.help) {
        azid::cli::printResult(azid::cli::usage().toUtf8());
        return 0;
    }
    if (!parsed.arguments) {
        azid::cli::printUsageError(parsed.error, azid::cli::OutputFormat::Raw);
        return azid::cli::ExitUsage;
    }
    return 0;
}
