// A plain C++ program, with no Qt event loop, that gets an access token (the README shows it).
// azid-token-example [SCOPE [AUTHORITY]]: AUTHORITY is an https URL of an authority you trust that is
// not one of Microsoft's clouds (azid-sandbox, for one), so instance discovery is not asked.
#include <azid/bearertokenprovider.h>
#include <azid/defaultazurecredential.h>

#include <iostream>

int main(int argc, char **argv)
{
    azid::DefaultAzureCredentialOptions options;
    if (argc > 2) {
        options.authority = QString::fromLocal8Bit(argv[2]);
        options.disableInstanceDiscovery = true;
    }
    auto credential = std::make_shared<azid::BlockingTokenCredential>(
        [options] { return std::make_shared<azid::DefaultAzureCredential>(options); });
    const QString scope =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("https://management.azure.com/.default");
    const auto bearerToken = azid::getBearerTokenProvider(credential, {scope});

    const azid::Result<azid::Secret> token = bearerToken(); // waits; any thread may call it
    if (!token) {
        std::cerr << token.error().toString().toStdString() << '\n';
        return 1;
    }
    std::cout << "Authorization: Bearer <a token of " << token.value().size() << " bytes>\n";
    return 0;
}
