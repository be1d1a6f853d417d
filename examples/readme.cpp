// The README's program, verbatim ("The library in a plain C++ program"): built so that it is known to
// compile; integration.blocking runs its sibling token.cpp.
#include <azid/bearertokenprovider.h>
#include <azid/defaultazurecredential.h>
#include <iostream>

int main()
{
    auto credential = std::make_shared<azid::BlockingTokenCredential>(
        [] { return std::make_shared<azid::DefaultAzureCredential>(); });
    const auto bearerToken =
        azid::getBearerTokenProvider(credential, {QStringLiteral("https://management.azure.com/.default")});
    const azid::Result<azid::Secret> token = bearerToken(); // waits; any thread may call it
    if (!token) {
        std::cerr << token.error().toString().toStdString() << '\n';
        return 1;
    }
    std::cout << "Authorization: " << azid::bearerAuthorization(token.value()).reveal().constData() << '\n';
}
