<#
.SYNOPSIS
    Real etcd servers for the Pester tests, the docs examples and the benchmark: /usr/bin/etcd (Debian's
    etcd-server) on free loopback ports, a temporary data folder, TLS with client-certificate auth on one port
    (certificates made here) and plain HTTP on another, both serving the same data.
#>
Set-StrictMode -Version Latest

# Start-FixtureServer, Stop-FixtureServer: the servers' starters (tests/fixtures), shared with TestHelpers.psm1.
. (Join-Path $PSScriptRoot '../fixtures/FixtureServer.ps1')

function Get-FreePort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function New-EtcdTestPki {
    <# A CA, a server certificate for 127.0.0.1/localhost, a client certificate and an unrelated CA, as PEM files. #>
    param([string] $Path = (Join-Path ([IO.Path]::GetTempPath()) "gu-etcd-pki-$([guid]::NewGuid().ToString('N'))"))
    $null = New-Item -ItemType Directory -Force $Path
    $notBefore = [DateTimeOffset]::UtcNow.AddDays(-1)
    $notAfter = [DateTimeOffset]::UtcNow.AddDays(30)
    $sha256 = [Security.Cryptography.HashAlgorithmName]::SHA256
    function New-Ca([string] $Subject) {
        $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $key, $sha256)
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, CrlSign, DigitalSignature', $true))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension]::new($request.PublicKey, $false))
        $request.CreateSelfSigned($notBefore, $notAfter)
    }
    function New-Leaf($Ca, [string] $Name, [string] $Subject, [bool] $Server) {
        $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $key, $sha256)
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($false, $false, 0, $true))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('DigitalSignature, KeyEncipherment', $true))
        $usages = [Security.Cryptography.OidCollection]::new()
        $null = $usages.Add([Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.2'))
        if ($Server) {
            $null = $usages.Add([Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.1'))
            $names = [Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
            $names.AddIpAddress([Net.IPAddress]::Loopback)
            $names.AddDnsName('localhost')
            $request.CertificateExtensions.Add($names.Build())
        }
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]::new($usages, $false))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509AuthorityKeyIdentifierExtension]::CreateFromCertificate($Ca, $true, $false))
        $serial = [byte[]]::new(16); [Security.Cryptography.RandomNumberGenerator]::Fill($serial)
        $certificate = $request.Create($Ca, $notBefore, $notAfter, $serial)
        Set-Content -Path (Join-Path $Path "$Name.crt") -Value $certificate.ExportCertificatePem()
        Set-Content -Path (Join-Path $Path "$Name.key") -Value $key.ExportPkcs8PrivateKeyPem()
    }
    $ca = New-Ca 'CN=GlobalUpgrade test etcd CA'
    Set-Content -Path (Join-Path $Path 'ca.crt') -Value $ca.ExportCertificatePem()
    Set-Content -Path (Join-Path $Path 'other-ca.crt') -Value (New-Ca 'CN=Some other CA').ExportCertificatePem()
    New-Leaf $ca 'server' 'CN=etcd-test-server' $true
    New-Leaf $ca 'client' 'CN=apiserver-etcd-client' $false
    [pscustomobject]@{
        Path = $Path
        CaPath = Join-Path $Path 'ca.crt'
        OtherCaPath = Join-Path $Path 'other-ca.crt'
        ServerCertificatePath = Join-Path $Path 'server.crt'
        ServerKeyPath = Join-Path $Path 'server.key'
        ClientCertificatePath = Join-Path $Path 'client.crt'
        ClientKeyPath = Join-Path $Path 'client.key'
    }
}

function Start-EtcdTestServer {
    <#
    Starts etcd and waits until it answers. With -Pki: TLS with client-cert auth on TlsEndpoint and plain HTTP on
    PlainEndpoint; without: plain HTTP only (PlainEndpoint).
    #>
    param([Parameter(Mandatory)] [string] $Name, $Pki)
    $root = if (Test-Path /dev/shm) { '/dev/shm' } else { [IO.Path]::GetTempPath() }
    $folder = Join-Path $root "gu-etcd-$Name-$([guid]::NewGuid().ToString('N'))"
    # tests/fixtures/etcd/start-etcd.sh (shared with the xunit tests) holds the flags, picks the ports, retries when
    # one was taken and returns once etcd answers; it says what to install when /usr/bin/etcd is missing.
    $arguments = @($Name, $folder)
    if ($Pki) { $arguments += $Pki.CaPath, $Pki.ServerCertificatePath, $Pki.ServerKeyPath }
    $server = Start-FixtureServer -Script 'etcd/start-etcd.sh' -ArgumentList $arguments
    [pscustomobject]@{
        Name = $Name; Process = $server.Process; Server = $server; DataPath = $folder; LogPath = (Join-Path $folder 'etcd.log')
        PlainEndpoint = $server.Fields['plain']; TlsEndpoint = $server.Fields['tls']
    }
}

function Stop-EtcdTestServer {
    param([Parameter(Mandatory, ValueFromPipeline)] $Server)
    process {
        Stop-FixtureServer $Server.Server
        Remove-Item $Server.DataPath -Recurse -Force -ErrorAction Ignore
    }
}

function Set-EtcdTestKey {
    <#
    Writes keys through etcd's JSON gateway (/v3/kv/txn), many puts per transaction: -Keys with one -Value, or
    -Pairs (an ordered dictionary key => value).
    #>
    param([Parameter(Mandatory)] [string] $Endpoint, [string[]] $Keys, [string] $Value = 'v', [Collections.IDictionary] $Pairs, [int] $BatchSize = 10000)
    $items = [Collections.Generic.List[string[]]]::new()
    if ($Pairs) { foreach ($entry in $Pairs.GetEnumerator()) { $items.Add([string[]]@($entry.Key, [string]$entry.Value)) } }
    else { foreach ($key in $Keys) { $items.Add([string[]]@($key, $Value)) } }
    $utf8 = [Text.Encoding]::UTF8
    for ($offset = 0; $offset -lt $items.Count; $offset += $BatchSize) {
        $body = [Text.StringBuilder]::new('{"success":[')
        $end = [Math]::Min($offset + $BatchSize, $items.Count)
        for ($i = $offset; $i -lt $end; $i++) {
            if ($i -gt $offset) { $null = $body.Append(',') }
            $null = $body.Append('{"requestPut":{"key":"').Append([Convert]::ToBase64String($utf8.GetBytes($items[$i][0]))).Append('","value":"').Append([Convert]::ToBase64String($utf8.GetBytes($items[$i][1]))).Append('"}}')
        }
        $null = $body.Append(']}')
        $null = Invoke-RestMethod -Method Post -Uri "$Endpoint/v3/kv/txn" -Body $body.ToString() -ContentType 'application/json' -TimeoutSec 120
    }
}

Export-ModuleMember -Function New-EtcdTestPki, Start-EtcdTestServer, Stop-EtcdTestServer, Set-EtcdTestKey, Get-FreePort
