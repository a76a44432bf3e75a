#if canImport(Accelerate)
import Accelerate
#endif
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system BLAS, found at run time (there is no link-time dependency on it).
///
/// On Linux the first of `libopenblas.so.0`, `libopenblas.so` and `libblas.so.3` that
/// loads and exports `cblas_sgemm` is used; on Apple platforms, Accelerate. The package
/// builds and runs without any of them: ``GEMM`` then uses ``SwiftGEMM``.
///
/// The environment variable `LATENT_BLAS` overrides the search: `none` forces the
/// pure-Swift kernel, a path (`/opt/lib/libopenblas.so`) loads that library only.
/// When the library is OpenBLAS, its thread count is set to ``Parallel/threadCount``.
public enum BLAS {
    /// A short description of the backend in use, e.g. `"OpenBLAS 0.3.21 (libopenblas.so.0)"`,
    /// `"Accelerate"` or `"none (LATENT_BLAS=none)"`.
    public static var backendName: String { library.name }

    /// Whether a BLAS was found; when `false`, ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` traps.
    public static var isAvailable: Bool { library.sgemm != nil }

    /// The BLAS's own thread count (OpenBLAS only; `nil` for other backends).
    public static var threadCount: Int? {
        library.getThreads.map { Int($0()) }
    }

    /// Sets the BLAS's own thread count (OpenBLAS only; ignored otherwise). Benchmarks use
    /// it to measure single-threaded throughput; restore ``Parallel/threadCount`` after.
    public static func setThreadCount(_ count: Int) {
        library.setThreads?(Int32(clamping: max(1, count)))
    }

    /// Runs `body` with the BLAS limited to one thread (OpenBLAS; other backends are left
    /// alone), then restores the previous count.
    ///
    /// For kernels that call GEMM from several ``Parallel`` workers at once: each worker's
    /// product then runs on its own core, instead of every call waking BLAS threads that
    /// compete with the workers for the same cores (OpenBLAS also serialises concurrent
    /// threaded calls). Nested and concurrent scopes are counted: the count is restored
    /// when the last one ends.
    public static func withSingleThread<Result>(_ body: () throws -> Result) rethrows -> Result {
        guard let set = library.setThreads, let get = library.getThreads else { return try body() }
        singleThreadScopes.withLock { state in
            if state.depth == 0 {
                state.saved = get()
                set(1)
            }
            state.depth += 1
        }
        defer {
            singleThreadScopes.withLock { state in
                state.depth -= 1
                if state.depth == 0 { set(state.saved) }
            }
        }
        return try body()
    }

    /// Open ``withSingleThread(_:)`` scopes and the thread count to restore after them.
    private static let singleThreadScopes = Mutex<(depth: Int, saved: Int32)>((0, 1))

    /// `C = alpha · op(A) · op(B) + beta · C` on row-major buffers through `cblas_sgemm`.
    ///
    /// Same contract as ``GEMM/multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``;
    /// traps when no BLAS is loaded (check ``isAvailable``).
    /// - Parameters:
    ///   - transposeA: use `Aᵀ` (`A` is stored `k × m`) instead of `A` (stored `m × k`).
    ///   - transposeB: use `Bᵀ` (`B` is stored `n × k`) instead of `B` (stored `k × n`).
    ///   - m, n, k: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
    ///   - lda, ldb, ldc: row strides (in elements) of the stored matrices.
    @inlinable
    public static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard let f = library.sgemm else {
            fatalError("BLAS.sgemm: no BLAS is loaded (\(backendName))")
        }
        f(transposeA, transposeB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(lda, 1)),
          b, Int32(max(ldb, 1)), beta, c, Int32(max(ldc, 1)))
    }

    // MARK: - Loading

    /// Row-major SGEMM with transposition flags; wraps `cblas_sgemm`.
    @usableFromInline
    typealias SGEMM = (Bool, Bool, Int32, Int32, Int32, Float, UnsafePointer<Float>, Int32,
                       UnsafePointer<Float>, Int32, Float, UnsafeMutablePointer<Float>, Int32) -> Void

    @usableFromInline
    struct Library: @unchecked Sendable {
        var name: String
        @usableFromInline var sgemm: SGEMM?
        var setThreads: (@convention(c) (Int32) -> Void)?
        var getThreads: (@convention(c) () -> Int32)?
    }

    /// Loaded once, on first use; Swift initialises `static let`s thread-safely.
    @usableFromInline
    static let library: Library = load()

    private typealias CBLASSGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void

    // Values of the CBLAS enums (cblas.h).
    private static let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112

    private static func load() -> Library {
        let request = getenv("LATENT_BLAS").map { String(cString: $0) } ?? ""
        if request.lowercased() == "none" {
            return Library(name: "none (LATENT_BLAS=none)")
        }
        if !request.isEmpty {
            if let library = open(request) { return library }
            let message = "latent: LATENT_BLAS=\(request) could not be loaded (\(lastError())); using the Swift GEMM\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            return Library(name: "none (LATENT_BLAS=\(request) failed to load)")
        }
        #if canImport(Accelerate)
        return Library(name: "Accelerate", sgemm: { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                        m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        })
        #else
        for candidate in ["libopenblas.so.0", "libopenblas.so", "libblas.so.3"] {
            if let library = open(candidate) { return library }
        }
        return Library(name: "none (no system BLAS found)")
        #endif
    }

    /// Opens a shared library and resolves its CBLAS entry points; `nil` if it lacks `cblas_sgemm`.
    private static func open(_ path: String) -> Library? {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
        guard let symbol = dlsym(handle, "cblas_sgemm") else {
            dlclose(handle)
            return nil
        }
        // The handle stays open for the life of the process.
        let cblas = unsafeBitCast(symbol, to: CBLASSGEMM.self)
        let file = path.split(separator: "/").last.map(String.init) ?? path
        var library = Library(name: "BLAS (\(file))")
        library.sgemm = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            cblas(rowMajor, ta ? transpose : noTranspose, tb ? transpose : noTranspose,
                  m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        if let set = dlsym(handle, "openblas_set_num_threads"),
           let get = dlsym(handle, "openblas_get_num_threads") {
            library.setThreads = unsafeBitCast(set, to: (@convention(c) (Int32) -> Void).self)
            library.getThreads = unsafeBitCast(get, to: (@convention(c) () -> Int32).self)
            library.setThreads?(Int32(clamping: Parallel.threadCount))
            var version = "OpenBLAS"
            if let config = dlsym(handle, "openblas_get_config") {
                let getConfig = unsafeBitCast(config, to: (@convention(c) () -> UnsafePointer<CChar>?).self)
                if let text = getConfig() {
                    // e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64"
                    let words = String(cString: text).split(separator: " ")
                    if words.count >= 2 { version = "\(words[0]) \(words[1])" }
                }
            }
            if let core = dlsym(handle, "openblas_get_corename") {
                let getCore = unsafeBitCast(core, to: (@convention(c) () -> UnsafePointer<CChar>?).self)
                if let text = getCore() { version += " \(String(cString: text))" }
            }
            library.name = "\(version) (\(file))"
        }
        return library
    }

    private static func lastError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }
}
