// Placeholder until the crawl front end lands.
int main() { return 2; }
