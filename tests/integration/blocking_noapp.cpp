// A plain C++ program with no QCoreApplication and no Qt event loop, run by tst_blocking: four
// std::threads ask one BlockingTokenCredential for a token at once, then the credential is destroyed
// (which ends the Qt application it started) and a second one starts another and gets a token too.
// Reads AZID_TEST_AUTHORITY, AZID_TEST_TENANT, AZID_TEST_CLIENT_ID, AZID_TEST_SECRET; the CA comes
// from AZID_CA_BUNDLE. Prints one line per token and exits 0 only when every request got one.
#include "azid/blockingtokencredential.h"
#include "azid/clientsecretcredential.h"

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

QString variable(const char *name)
{
    return qEnvironmentVariable(name);
}

azid::BlockingTokenCredential::Factory clientSecret()
{
    return [] {
        azid::ClientSecretCredentialOptions options;
        options.authority = variable("AZID_TEST_AUTHORITY");
        options.disableInstanceDiscovery = true;
        return std::make_shared<azid::ClientSecretCredential>(
            variable("AZID_TEST_TENANT"), variable("AZID_TEST_CLIENT_ID"),
            azid::Secret::fromString(variable("AZID_TEST_SECRET")), options);
    };
}

const QStringList Arm{QStringLiteral("https://management.azure.com/.default")};

} // namespace

int main()
{
    std::atomic<int> tokens = 0;
    {
        azid::BlockingTokenCredential credential(clientSecret());
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&credential, &tokens] {
                const azid::Result<azid::AccessToken> result = credential.getTokenBlocking(Arm, {});
                if (result.ok() && !result.value().token.isEmpty())
                    ++tokens;
                else if (!result.ok())
                    std::fprintf(stderr, "%s\n", qPrintable(result.error().toString()));
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        std::printf("first credential: %d tokens from %s\n", tokens.load(), qPrintable(credential.name()));
    }
    {
        azid::BlockingTokenCredential again(clientSecret());
        const azid::Result<azid::AccessToken> result = again.getTokenBlocking(Arm, {});
        if (result.ok())
            ++tokens;
        else
            std::fprintf(stderr, "%s\n", qPrintable(result.error().toString()));
        std::printf("second credential: %s\n", result.ok() ? "token" : "no token");
    }
    return tokens == 5 ? 0 : 1;
}
