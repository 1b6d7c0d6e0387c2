//! The index's word splitting and matching, and how it follows changes.

use super::*;
use crate::domain::text_words;

#[test]
fn the_index_splits_words_as_a_search_does() {
    let text = "Recognise NEUTROPENIC sepsis—use the UKONS 24-hour triage tool; Ärzte ΣΟΦΟΣ café";
    let mut seen = Vec::new();
    for_each_word(text, &mut String::new(), |w| seen.push(w.to_owned()));
    assert_eq!(seen, text_words(text).collect::<Vec<_>>());
    assert_eq!(seen[1], "neutropenic");
    assert_eq!(seen.len(), 13, "{seen:?}");
}

#[test]
fn matching_is_every_term_as_a_prefix_of_some_word() {
    let mut words: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (pos, list) in [(0u32, ["sepsis", "neutropenic"]), (1, ["immunotherapy", "sepsis"]), (2, ["immune", "clinic"])]
    {
        for w in list {
            words.entry(w.to_owned()).or_default().push(pos);
        }
    }
    // Three entries' worth of bits: matching sizes its bitsets by the entries.
    let entries = (0..3)
        .map(|i| Entry {
            id: i,
            title: String::new(),
            kind: PlacementKind::Shadowing,
            trust_id: 1,
            pathway_id: 1,
            start: NaiveDate::MIN,
            end: NaiveDate::MIN,
            window_days: None,
            closing: NaiveDate::MIN,
            eligibility: Eligibility {
                staff_groups: vec![],
                band_min: crate::domain::PayBand::B2,
                band_max: crate::domain::PayBand::B9,
                registration: None,
            },
        })
        .collect();
    let s = Base { entries, words, ..Base::default() };
    let hits = |terms: &[&str]| -> Vec<u32> {
        let terms: Vec<String> = terms.iter().map(|t| (*t).to_owned()).collect();
        let bits = s.matching(&terms).expect("terms given");
        (0..3).filter(|&p| has(&bits, p)).collect()
    };
    assert_eq!(hits(&["sepsis"]), [0, 1]);
    assert_eq!(hits(&["immun"]), [1, 2], "a prefix matches every word it begins");
    assert_eq!(hits(&["immun", "sep"]), [1], "every term must match");
    assert_eq!(hits(&["mmun"]), Vec::<u32>::new(), "inside a word is not a match");
    assert!(s.matching(&[]).is_none(), "no terms, no text filter");
}

#[tokio::test]
async fn a_change_to_places_or_state_patches_the_index_and_any_other_change_rebuilds_it() {
    use crate::domain::Role;
    use crate::server::testing;
    let db = testing::database().await;
    let trust = testing::add_trust(&db, "RBB").await;
    testing::add_pathway(&db, "acute-oncology").await;
    let lead = testing::person(&db, "lead@rbb.nhs.example", Role::PlacementLead, trust).await;
    let a = testing::open_placement(&db, &lead, "RBB", 3, "Shadow the acute oncology team").await;
    let b = testing::open_placement(&db, &lead, "RBB", 2, "Shadow the chemotherapy day unit").await;
    let index = PlacementIndex::default();
    let sql = async |sql: String| {
        db.execute_unprepared(&sql).await.unwrap();
    };
    let built = index.snapshot(&db).await.unwrap();
    assert_eq!(built.entries.len(), 2);
    let pos = built.positions[&a];
    assert_eq!((built.is_open(pos), built.places_left(pos)), (true, 3));

    // A place taken: the entries are kept, the places left read again.
    sql(format!("UPDATE placements SET accepted = 1, updated_at = CURRENT_TIMESTAMP WHERE id = {a}")).await;
    let taken = index.snapshot(&db).await.unwrap();
    assert!(taken.shares_entries_with(&built));
    assert!(taken.version > built.version);
    assert_eq!((taken.is_open(pos), taken.places_left(pos)), (true, 2));
    assert_eq!(built.places_left(pos), 3, "a snapshot already handed out does not change");

    // Filled, then a place freed and open again: patched both times.
    sql(format!("UPDATE placements SET accepted = 3, state = 'full' WHERE id = {a}")).await;
    let full = index.snapshot(&db).await.unwrap();
    assert!(full.shares_entries_with(&built) && !full.is_open(pos));
    sql(format!("UPDATE placements SET accepted = 2, state = 'open' WHERE id = {a}")).await;
    let reopened = index.snapshot(&db).await.unwrap();
    assert!(reopened.shares_entries_with(&built) && reopened.is_open(pos));
    assert_eq!(reopened.places_left(pos), 1);

    // Its words changed: rebuilt, so a search finds the new ones.
    sql(format!("UPDATE placements SET description = 'Observe brachytherapy.' WHERE id = {b}")).await;
    let edited = index.snapshot(&db).await.unwrap();
    assert!(!edited.shares_entries_with(&built));
    let found = edited.matching(&["brachy".to_owned()]).unwrap();
    assert!(has(&found, edited.positions[&b]) && !has(&found, edited.positions[&a]));

    // A staff group added: rebuilt (eligibility is part of the entries).
    sql(format!("INSERT INTO placement_staff_groups (placement_id, staff_group) VALUES ({b}, 'ahp')")).await;
    let grouped = index.snapshot(&db).await.unwrap();
    assert!(!grouped.shares_entries_with(&edited));
    assert_eq!(
        grouped.entries[grouped.positions[&b] as usize].eligibility.staff_groups,
        vec![StaffGroup::AlliedHealthProfessionals]
    );

    // The log pruned past what this index holds: rebuilt rather than guessed.
    sql(format!("UPDATE placements SET accepted = 1 WHERE id = {b}")).await;
    sql("DELETE FROM placement_change_log".to_owned()).await;
    let pruned = index.snapshot(&db).await.unwrap();
    assert!(!pruned.shares_entries_with(&grouped));
    assert_eq!(pruned.places_left(pruned.positions[&b]), 1);

    // Housekeeping keeps the newest rows only.
    sql("UPDATE placement_changes SET version = 20000".to_owned()).await;
    sql("INSERT INTO placement_change_log (version, placement_id) VALUES (5, NULL), (20000, NULL)".to_owned()).await;
    assert_eq!(prune_log(&db).await.unwrap(), 1);
    assert_eq!(prune_log(&db).await.unwrap(), 0);
}
