use crate::helpers::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn every_page_has_the_nhs_frame_service_name_skip_link_phase_banner_and_footer() {
    let app = spawn_app().await;
    for path in ["/", "/trusts", "/trusts/R0A", "/pathways"] {
        let page = app.visit(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.texts(".nhsuk-header__service-name"), ["Placement Passport"], "{path}");
        assert_eq!(page.attr("a.nhsuk-skip-link", "href").as_deref(), Some("#maincontent"), "{path}");
        assert!(page.has("main#maincontent"), "{path}");
        assert!(page.texts(".pp-phase-banner").concat().contains("Pilot"), "{path}");
        assert!(page.has("footer.nhsuk-footer"), "{path}");
        assert!(page.text.contains("/nhsuk/nhsuk-frontend.min.css"), "{path}");
        assert!(page.attr("html", "lang").as_deref() == Some("en"), "{path}");
        let title = page.texts("head > title").concat();
        assert!(title.ends_with("Placement Passport – NHS"), "{path}: {title}");
    }
}

#[tokio::test]
async fn the_trusts_page_lists_the_nine_pilot_trusts_with_their_ods_codes() {
    let app = spawn_app().await;
    let page = app.visit("/trusts").await;
    let mut codes = page.texts("tbody tr td:nth-child(2)");
    codes.sort();
    assert_eq!(codes, ["R0A", "RBT", "RBV", "RJN", "RM3", "RMC", "RMP", "RRF", "RWJ"]);
    assert!(page.texts("tbody a").contains(&"The Christie NHS Foundation Trust".to_owned()));
    assert_eq!(page.attr("a[href='/trusts/RBV']", "href").as_deref(), Some("/trusts/RBV"));
    // Sites and teams are counted per trust.
    let rows = page.texts("tbody tr");
    assert!(rows.contains(&"The Christie NHS Foundation Trust RBV 3 3".to_owned()), "{rows:?}");
    assert!(rows.contains(&"Stockport NHS Foundation Trust RWJ 1 3".to_owned()), "{rows:?}");
}

#[tokio::test]
async fn a_trust_page_shows_its_sites_teams_and_minimum_cover() {
    let app = spawn_app().await;
    let page = app.visit("/trusts/r0a").await;
    assert_eq!(page.texts("h1"), ["Manchester University NHS Foundation Trust"]);
    let sites = page.texts("main ul.nhsuk-list li");
    assert!(sites.contains(&"Wythenshawe Hospital".to_owned()), "{sites:?}");
    let rows = page.texts("tbody tr");
    assert!(rows.contains(&"Acute Oncology Service Manchester Royal Infirmary 3".to_owned()), "{rows:?}");
    assert!(!page.has("select#site"), "only a project manager is offered the add-team form");
    // Signed in as the alliance's project manager: the site select offers this trust's sites
    // and no other trust's.
    app.sign_in_as(crate::helpers::PM).await;
    let page = app.visit("/trusts/r0a").await;
    let options = page.texts("select#site option");
    assert!(options.contains(&"North Manchester General Hospital".to_owned()));
    assert!(!options.contains(&"Salford Royal".to_owned()));
}

#[tokio::test]
async fn the_pathways_page_shows_acute_oncology_in_the_pilot_and_the_others_joining() {
    let app = spawn_app().await;
    let page = app.visit("/pathways").await;
    let rows = page.texts(".nhsuk-summary-list__row");
    assert_eq!(rows[0], "Acute Oncology In the pilot");
    assert_eq!(rows.len(), 5);
    assert!(rows.contains(&"Physician Associates Asked to join".to_owned()));
}

#[tokio::test]
async fn an_unknown_trust_or_path_answers_404_with_the_nhs_page_not_found() {
    let app = spawn_app().await;
    for path in ["/trusts/ZZZ", "/trusts/not%20a%20code", "/no/such/page"] {
        let page = app.visit(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.texts("h1"), ["Page not found"], "{path}");
        assert!(page.has(".nhsuk-header"), "{path}: the page keeps the NHS frame");
    }
}
