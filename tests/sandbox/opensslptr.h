#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <QByteArray>

#include <memory>

namespace azid::sandbox {

// unique_ptr aliases so every OpenSSL object is freed on all return paths.
template <typename T, void (*Free)(T *)> struct OpenSslDeleter
{
    void operator()(T *object) const { Free(object); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;

// Drains a memory BIO into a QByteArray.
inline QByteArray readBio(BIO *bio)
{
    QByteArray data(static_cast<qsizetype>(BIO_ctrl_pending(bio)), Qt::Uninitialized);
    const int read = BIO_read(bio, data.data(), static_cast<int>(data.size()));
    data.resize(read > 0 ? read : 0);
    return data;
}

} // namespace azid::sandbox
