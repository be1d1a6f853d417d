#pragma once

#include <QString>

// Where tests point the library at stand-ins for the platform it runs on. The library never sets
// these; tests set them (through ScopedTestSeams) before they make a credential, which reads them
// once, at construction, as it reads its options. Not installed: no public option carries them.
namespace azid::detail {

struct TestSeams
{
    // IMDS's base address instead of http://169.254.169.254 (ManagedIdentityCredential, and the
    // one inside DefaultAzureCredential). Unlike AZURE_POD_IDENTITY_AUTHORITY_HOST, which users set
    // for Pod Identity, it keeps the probe.
    QString imdsEndpoint;
    // The directory Azure Arc's key files must be in. Empty: the platform's (see
    // platformArcKeyDirectory()).
    QString arcKeyDirectory;
};

// The seams in force: empty fields unless a test set them.
TestSeams testSeams();

// Sets the seams for the credentials made while it lives, and puts the previous ones back after.
class ScopedTestSeams
{
public:
    explicit ScopedTestSeams(const TestSeams &seams);
    ~ScopedTestSeams();
    ScopedTestSeams(const ScopedTestSeams &) = delete;
    ScopedTestSeams &operator=(const ScopedTestSeams &) = delete;

private:
    TestSeams m_previous;
};

} // namespace azid::detail
