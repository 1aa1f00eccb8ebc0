// Generates the Greeter's client from greeter.proto (copied beside this file
// by scripts/bench.sh); tonic-build runs protoc.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tonic_build::configure()
        .build_server(false)
        .compile_protos(&["greeter.proto"], &["."])?;
    Ok(())
}
