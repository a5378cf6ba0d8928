// Lessons and the shim are embedded with include_dir!/include_str!; make
// cargo rebuild when any of their files change.
fn main() {
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=assets");
}
