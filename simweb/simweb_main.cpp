// Placeholder until simweb lands.
int main() { return 2; }
